namespace GameServer.Protocol;

/// <summary>The type byte of a frame. Client-to-server types are below 0x80, server-to-client types from 0x80.</summary>
public enum FrameType : byte
{
    /// <summary>Client login; payload: the player name, UTF-8, 1 to 32 bytes. Must be the first frame, sent once.</summary>
    Hello = 0x01,

    /// <summary>Client keep-alive; empty payload. Re-arms the session's idle timeout.</summary>
    Heartbeat = 0x02,

    /// <summary>A game move; payload: a 4-byte big-endian action. No reply.</summary>
    Move = 0x03,

    /// <summary>Load a level; payload: a 2-byte big-endian level id. Replaces (cancels) any request in flight.</summary>
    LoadLevel = 0x04,

    /// <summary>Find a match; payload: a 1-byte game mode. Replaces any request in flight; bounded by the match timeout.</summary>
    FindMatch = 0x05,

    /// <summary>The client leaves; empty payload. The server answers with <see cref="Goodbye"/> and closes.</summary>
    Bye = 0x06,

    /// <summary>Login accepted; payload: the 8-byte big-endian session id.</summary>
    Welcome = 0x81,

    /// <summary>A level finished loading; payload: the 2-byte big-endian level id.</summary>
    LevelLoaded = 0x84,

    /// <summary>A match was found; payload: a 4-byte big-endian match id.</summary>
    MatchFound = 0x85,

    /// <summary>No match was found within the match timeout; empty payload.</summary>
    MatchTimedOut = 0x86,

    /// <summary>The server closes the session; payload: a 1-byte <see cref="CloseReason"/> and an optional UTF-8 text.</summary>
    Goodbye = 0x8F,
}
