namespace GameServer.Reporting;

/// <summary>Why a per-request operation's token was cancelled.</summary>
public enum OperationEnd
{
    /// <summary>A newer request renewed the request slot.</summary>
    Renewed = 0,

    /// <summary>The operation's own timeout fired (matchmaking).</summary>
    TimedOut = 1,

    /// <summary>The session ended while the operation ran.</summary>
    SessionEnded = 2,
}
