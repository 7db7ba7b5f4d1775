using System;

namespace GameServer.Protocol;

/// <summary>A peer broke the framing protocol; the session closes with <see cref="Reason"/>.</summary>
public sealed class ProtocolViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">The close reason to send; one of the protocol-violation codes.</param>
    /// <param name="message">What was wrong, for the goodbye text and logs.</param>
    public ProtocolViolationException(CloseReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Gets the close reason to send to the peer.</summary>
    public CloseReason Reason { get; }
}
