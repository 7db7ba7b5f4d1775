namespace GameServer.Protocol;

/// <summary>Why a session ended; the code sent in a <see cref="FrameType.Goodbye"/> frame.</summary>
public enum CloseReason : byte
{
    /// <summary>Not closed (never sent).</summary>
    None = 0,

    /// <summary>The client said <see cref="FrameType.Bye"/>.</summary>
    ClientLeft = 1,

    /// <summary>No heartbeat arrived within the idle timeout.</summary>
    IdleTimeout = 2,

    /// <summary>The server is shutting down.</summary>
    ServerShutdown = 3,

    /// <summary>Protocol violation: a frame length of zero or above the maximum frame size.</summary>
    InvalidFrameLength = 4,

    /// <summary>Protocol violation: a type byte the server does not accept from a client.</summary>
    UnknownFrameType = 5,

    /// <summary>Protocol violation: a payload of the wrong size or content for its frame type.</summary>
    InvalidPayload = 6,

    /// <summary>Protocol violation: a frame other than <see cref="FrameType.Hello"/> before login.</summary>
    NotLoggedIn = 7,

    /// <summary>Protocol violation: a second <see cref="FrameType.Hello"/>.</summary>
    AlreadyLoggedIn = 8,

    /// <summary>The client did not read its replies: a write did not complete within the write timeout.</summary>
    SlowConsumer = 9,

    /// <summary>The connection was closed or reset by the client (never sent: nobody is left to read it).</summary>
    ClientDisconnected = 10,
}
