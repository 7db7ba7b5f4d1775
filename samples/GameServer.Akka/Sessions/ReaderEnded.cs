using GameServer.Protocol;

namespace GameServer.Akka.Sessions;

/// <summary>How a connection reader ended: the client went away, broke the framing, said Bye, or its token was cancelled.</summary>
/// <param name="Reason">
/// The reason to close with; <see cref="CloseReason.None"/> when the reader stopped because its token was
/// cancelled or the client said Bye (the frame itself closes the session).
/// </param>
/// <param name="Text">The explanation for the goodbye, if any.</param>
internal sealed record ReaderEnded(CloseReason Reason, string? Text)
{
    /// <summary>Gets the ending that needs no action.</summary>
    public static ReaderEnded Stopped { get; } = new(CloseReason.None, null);
}
