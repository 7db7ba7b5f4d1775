using System;

namespace GameServer.Protocol;

/// <summary>A frame to send: a type and a small payload. Build them with <see cref="Frames"/>.</summary>
public readonly struct OutgoingFrame
{
    /// <summary>Creates a frame to send.</summary>
    /// <param name="type">The type byte.</param>
    /// <param name="payload">The payload; not copied, so do not change it afterwards.</param>
    public OutgoingFrame(FrameType type, ReadOnlyMemory<byte> payload)
    {
        Type = type;
        Payload = payload;
    }

    /// <summary>Gets the type byte.</summary>
    public FrameType Type { get; }

    /// <summary>Gets the payload.</summary>
    public ReadOnlyMemory<byte> Payload { get; }
}
