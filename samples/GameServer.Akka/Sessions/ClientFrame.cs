using System.Buffers;
using GameServer.Protocol;

namespace GameServer.Akka.Sessions;

/// <summary>A frame the client sent, copied off the socket by the connection's reader.</summary>
/// <param name="Type">The type byte.</param>
/// <param name="Payload">The payload, owned by this message.</param>
internal sealed record ClientFrame(FrameType Type, byte[] Payload)
{
    /// <summary>Gets the frame view the protocol's readers (and their validation) work on.</summary>
    /// <returns>The frame.</returns>
    public Frame ToFrame() => new(Type, new ReadOnlySequence<byte>(Payload));
}
