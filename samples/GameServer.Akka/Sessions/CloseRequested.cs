using GameServer.Protocol;

namespace GameServer.Akka.Sessions;

/// <summary>The write path asks the session actor to close (the client stopped reading or went away).</summary>
/// <param name="Reason">Why.</param>
internal sealed record CloseRequested(CloseReason Reason);
