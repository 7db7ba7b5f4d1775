namespace GameServer.Cluster.Entities;

/// <summary>Why an entity incarnation stopped, as it logs it in <c>PostStop</c>.</summary>
internal enum StopCause
{
    /// <summary>Stopped for a reason the entity did not see coming (a failure, or a stop from outside sharding).</summary>
    Other,

    /// <summary>Its idle token timed out and it asked its shard to passivate it.</summary>
    Passivated,

    /// <summary>Its shard was handed off because its node was leaving the cluster.</summary>
    HandedOff,

    /// <summary>Its shard was moved to another node while its node stayed (the coordinator rebalanced).</summary>
    Rebalanced,

    /// <summary>The run ended and its node shut down.</summary>
    Shutdown,
}
