namespace GameServer.Cluster.Launcher;

/// <summary>What happens to the cluster's membership during a run.</summary>
internal enum Scenario
{
    /// <summary>
    /// Node 3 joins late (rebalance), node 2 leaves gracefully (hand-off), node 3 is killed with SIGKILL (the
    /// split-brain resolver downs it); the bots reconnect to the surviving nodes and resume their players.
    /// </summary>
    Default,

    /// <summary>Every node starts at once and stays until the end: passivation only, a baseline.</summary>
    Steady,
}
