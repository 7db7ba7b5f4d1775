using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace GameServer.Protocol;

/// <summary>
/// A received frame. <see cref="Payload"/> points into the reader's buffer: it is valid only until the
/// frame handler's task completes, so read what you need from it first.
/// </summary>
public readonly struct Frame
{
    /// <summary>Creates a frame view.</summary>
    /// <param name="type">The type byte.</param>
    /// <param name="payload">The bytes after the type byte.</param>
    public Frame(FrameType type, ReadOnlySequence<byte> payload)
    {
        Type = type;
        Payload = payload;
    }

    /// <summary>Gets the type byte.</summary>
    public FrameType Type { get; }

    /// <summary>Gets the payload (the body after the type byte).</summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>Checks that the payload is empty.</summary>
    /// <exception cref="ProtocolViolationException">It is not.</exception>
    public void ExpectEmpty() => ExpectLength(0);

    /// <summary>Reads a payload of exactly one byte.</summary>
    /// <returns>The byte.</returns>
    /// <exception cref="ProtocolViolationException">The payload is not one byte long.</exception>
    public byte ReadByte()
    {
        ExpectLength(1);
        return Payload.FirstSpan[0];
    }

    /// <summary>Reads a payload of exactly two bytes, big-endian.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="ProtocolViolationException">The payload is not two bytes long.</exception>
    public ushort ReadUInt16()
    {
        Span<byte> bytes = stackalloc byte[2];
        Copy(bytes);
        return BinaryPrimitives.ReadUInt16BigEndian(bytes);
    }

    /// <summary>Reads a payload of exactly four bytes, big-endian.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="ProtocolViolationException">The payload is not four bytes long.</exception>
    public uint ReadUInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        Copy(bytes);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>Reads a payload of exactly eight bytes, big-endian.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="ProtocolViolationException">The payload is not eight bytes long.</exception>
    public long ReadInt64()
    {
        Span<byte> bytes = stackalloc byte[8];
        Copy(bytes);
        return BinaryPrimitives.ReadInt64BigEndian(bytes);
    }

    /// <summary>Reads the payload as strict UTF-8 text of <paramref name="minBytes"/> to <paramref name="maxBytes"/> bytes.</summary>
    /// <param name="minBytes">The fewest bytes accepted.</param>
    /// <param name="maxBytes">The most bytes accepted.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ProtocolViolationException">The length is out of range or the bytes are not valid UTF-8.</exception>
    public string ReadText(int minBytes, int maxBytes)
    {
        if (Payload.Length < minBytes || Payload.Length > maxBytes)
        {
            throw new ProtocolViolationException(CloseReason.InvalidPayload, $"{Type} payload must be {minBytes} to {maxBytes} bytes, was {Payload.Length}.");
        }

        try
        {
            return s_strictUtf8.GetString(Payload);
        }
        catch (DecoderFallbackException)
        {
            throw new ProtocolViolationException(CloseReason.InvalidPayload, $"{Type} payload is not valid UTF-8.");
        }
    }

    private void Copy(Span<byte> destination)
    {
        ExpectLength(destination.Length);
        Payload.CopyTo(destination);
    }

    private void ExpectLength(int length)
    {
        if (Payload.Length != length)
        {
            throw new ProtocolViolationException(CloseReason.InvalidPayload, $"{Type} payload must be {length} bytes, was {Payload.Length}.");
        }
    }

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
