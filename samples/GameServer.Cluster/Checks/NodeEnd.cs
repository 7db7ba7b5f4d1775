namespace GameServer.Cluster.Checks;

/// <summary>How a node process ended.</summary>
internal enum NodeEnd
{
    /// <summary>Still running (never seen in a finished run).</summary>
    Running,

    /// <summary>It left the cluster gracefully during the run (its shards were handed off).</summary>
    Left,

    /// <summary>It shut down at the end of the run.</summary>
    Stopped,

    /// <summary>The scenario killed it with SIGKILL.</summary>
    Killed,

    /// <summary>It did not exit cleanly within its bound after being told to (killed by the launcher), or it exited with an error.</summary>
    Failed,
}
