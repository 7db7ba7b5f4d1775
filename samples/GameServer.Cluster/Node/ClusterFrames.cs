using System;
using System.Buffers;
using System.Buffers.Binary;
using GameServer.Cluster.Entities;
using GameServer.Protocol;

namespace GameServer.Cluster.Node;

/// <summary>
/// The one frame this sample adds to the protocol of samples/GameServer: a request that ended without a
/// result (replaced, timed out, its entity stopped or unreachable) is answered instead of left hanging, so
/// a client can tell an answered request from a lost one.
/// </summary>
internal static class ClusterFrames
{
    /// <summary>Server to client; payload: the 2-byte big-endian request tag and a 1-byte <see cref="RequestOutcome"/>.</summary>
    public const FrameType RequestFailed = (FrameType)0x87;

    public static OutgoingFrame Failed(ushort tag, RequestOutcome outcome)
    {
        var bytes = new byte[3];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, tag);
        bytes[2] = (byte)outcome;
        return new OutgoingFrame(RequestFailed, bytes);
    }

    public static (ushort Tag, RequestOutcome Outcome) ReadFailed(Frame frame)
    {
        if (frame.Payload.Length != 3)
        {
            throw new ProtocolViolationException(CloseReason.InvalidPayload, $"RequestFailed payload must be 3 bytes, was {frame.Payload.Length}.");
        }

        Span<byte> bytes = stackalloc byte[3];
        frame.Payload.CopyTo(bytes);
        return (BinaryPrimitives.ReadUInt16BigEndian(bytes), (RequestOutcome)bytes[2]);
    }
}
