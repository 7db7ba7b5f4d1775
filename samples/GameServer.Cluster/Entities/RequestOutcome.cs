namespace GameServer.Cluster.Entities;

/// <summary>How a request ended, as the entity (or the node, for <see cref="Unanswered"/>) reports it.</summary>
internal enum RequestOutcome : byte
{
    /// <summary>The work finished under a current token and its result was sent.</summary>
    Completed = 0,

    /// <summary>A newer request of the same player renewed the request slot, cancelling this one.</summary>
    Replaced = 1,

    /// <summary>The work outlived the request slot's deadline.</summary>
    TimedOut = 2,

    /// <summary>The entity incarnation stopped (passivation, hand-off, rebalance, shutdown) with the request in flight.</summary>
    Stopped = 3,

    /// <summary>No answer came through the shard region within the node's bound (the entity's node was unreachable).</summary>
    Unanswered = 4,
}
