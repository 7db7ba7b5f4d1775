using System.Buffers;
using GameServer.Protocol;

namespace GameServer.Tests;

public sealed class FrameCodecTests
{
    [Fact]
    public void TryRead_WrittenFrame_RoundTrips()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(buffer, Frames.LoadLevel(513));
        var bytes = new ReadOnlySequence<byte>(buffer.WrittenMemory);

        Assert.True(FrameCodec.TryRead(ref bytes, 1024, out var frame));

        Assert.Equal(FrameType.LoadLevel, frame.Type);
        Assert.Equal(513, frame.ReadUInt16());
        Assert.True(bytes.IsEmpty);
    }

    [Fact]
    public void TryRead_PartialFrame_ReturnsFalseAndConsumesNothing()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(buffer, Frames.Hello("player"));
        var bytes = new ReadOnlySequence<byte>(buffer.WrittenMemory[..^1]);

        Assert.False(FrameCodec.TryRead(ref bytes, 1024, out _));
        Assert.Equal(buffer.WrittenCount - 1, bytes.Length);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1025u)]
    [InlineData(uint.MaxValue)]
    public void TryRead_LengthOutOfRange_ThrowsInvalidFrameLength(uint length)
    {
        var header = new byte[] { (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length };
        var bytes = new ReadOnlySequence<byte>(header);

        var ex = Assert.Throws<ProtocolViolationException>(() => FrameCodec.TryRead(ref bytes, 1024, out _));

        Assert.Equal(CloseReason.InvalidFrameLength, ex.Reason);
    }

    [Fact]
    public void ReadUInt16_WrongPayloadSize_ThrowsInvalidPayload()
    {
        var frame = new Frame(FrameType.LoadLevel, new ReadOnlySequence<byte>(new byte[3]));

        var ex = Assert.Throws<ProtocolViolationException>(() => frame.ReadUInt16());

        Assert.Equal(CloseReason.InvalidPayload, ex.Reason);
    }

    [Fact]
    public void Goodbye_LongText_IsCut()
    {
        var frame = Frames.Goodbye(CloseReason.IdleTimeout, new string('x', 1000));

        Assert.Equal(1 + Frames.MaxGoodbyeTextBytes, frame.Payload.Length);
        Assert.Equal((byte)CloseReason.IdleTimeout, frame.Payload.Span[0]);
    }
}
