using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;

namespace GameServer.Protocol;

/// <summary>
/// The framing: a 4-byte big-endian length L, then L bytes of body: one type byte and L - 1 bytes of
/// payload. 1 &lt;= L &lt;= the maximum frame size; anything else is a protocol violation.
/// </summary>
public static class FrameCodec
{
    /// <summary>The size of the length prefix.</summary>
    public const int HeaderSize = 4;

    /// <summary>The default maximum body size (type byte plus payload).</summary>
    public const int DefaultMaxFrameSize = 1024;

    /// <summary>Takes one complete frame off the front of <paramref name="buffer"/>, if there is one.</summary>
    /// <param name="buffer">The received bytes; on success, advanced past the frame.</param>
    /// <param name="maxFrameSize">The largest body accepted.</param>
    /// <param name="frame">The frame; its payload is a slice of <paramref name="buffer"/>.</param>
    /// <returns><see langword="true"/> when a whole frame was read; <see langword="false"/> when more bytes are needed.</returns>
    /// <exception cref="ProtocolViolationException">The length prefix is zero or above <paramref name="maxFrameSize"/>.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out Frame frame)
    {
        frame = default;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0 || length > (uint)maxFrameSize)
        {
            // Checked before waiting for the body, so an oversized frame is refused without buffering it.
            throw new ProtocolViolationException(CloseReason.InvalidFrameLength, $"Frame length {length} is outside 1..{maxFrameSize}.");
        }

        if (buffer.Length - HeaderSize < length)
        {
            return false;
        }

        var body = buffer.Slice(HeaderSize, length);
        frame = new Frame((FrameType)body.FirstSpan[0], body.Slice(1));
        buffer = buffer.Slice(body.End);
        return true;
    }

    /// <summary>Writes <paramref name="frame"/> into <paramref name="writer"/> without flushing.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="frame">The frame.</param>
    public static void Write(IBufferWriter<byte> writer, in OutgoingFrame frame)
    {
        var payload = frame.Payload.Span;
        var span = writer.GetSpan(HeaderSize + 1 + payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(1 + payload.Length));
        span[HeaderSize] = (byte)frame.Type;
        payload.CopyTo(span[(HeaderSize + 1)..]);
        writer.Advance(HeaderSize + 1 + payload.Length);
    }

    /// <summary>Writes and flushes one frame.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="frame">The frame.</param>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>The flush result.</returns>
    public static ValueTask<FlushResult> SendAsync(PipeWriter writer, OutgoingFrame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Write(writer, frame);
        return writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Reads frames until <paramref name="onFrame"/> returns <see langword="false"/> or the peer ends the
    /// stream. Each frame's payload stays valid until the task <paramref name="onFrame"/> returns completes.
    /// </summary>
    /// <param name="reader">The source.</param>
    /// <param name="maxFrameSize">The largest body accepted.</param>
    /// <param name="onFrame">Handles a frame; returns whether to go on reading.</param>
    /// <param name="cancellationToken">Cancels the wait for more bytes.</param>
    /// <returns><see langword="true"/> when the handler stopped the loop; <see langword="false"/> when the peer ended the stream.</returns>
    /// <exception cref="ProtocolViolationException">A frame broke the framing, or the handler threw it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<bool> ReadFramesAsync(PipeReader reader, int maxFrameSize, Func<Frame, ValueTask<bool>> onFrame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(onFrame);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            try
            {
                while (TryRead(ref buffer, maxFrameSize, out var frame))
                {
                    if (!await onFrame(frame))
                    {
                        return true;
                    }
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return false;
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }
}
