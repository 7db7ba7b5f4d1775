namespace GameServer;

/// <summary>What the process runs.</summary>
public enum RunMode
{
    /// <summary>The server and the bot swarm in one process (the default).</summary>
    All = 0,

    /// <summary>Only the server, until Ctrl+C or SIGTERM.</summary>
    Server = 1,

    /// <summary>Only the bots, against a server on <see cref="RunOptions.Port"/>.</summary>
    Bots = 2,
}
