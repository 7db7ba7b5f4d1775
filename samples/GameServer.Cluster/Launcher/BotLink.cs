using System;
using System.Collections.Concurrent;
using System.IO;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Cluster.Entities;
using GameServer.Cluster.Node;
using GameServer.Protocol;

namespace GameServer.Cluster.Launcher;

/// <summary>One bot connection: the socket, a receive loop, and the requests waiting for their answer by tag.</summary>
internal sealed class BotLink
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeWriter _writer;
    private readonly ConcurrentDictionary<ushort, TaskCompletionSource<BotOutcome>> _pending = new();
    private readonly TaskCompletionSource _welcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<CloseReason> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _receiving;

    public BotLink(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        _receiving = ReceiveAsync(PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true)));
    }

    public Task Welcome => _welcome.Task;

    /// <summary>Completes with the goodbye's reason, or <see cref="CloseReason.None"/> when the connection ended without one.</summary>
    public Task<CloseReason> Ended => _ended.Task;

    public async ValueTask SendAsync(OutgoingFrame frame) => await FrameCodec.SendAsync(_writer, frame, CancellationToken.None);

    /// <summary>Registers a request tag before its frame is sent; the task completes with its answer, or ConnectionLost.</summary>
    public Task<BotOutcome> Expect(ushort tag)
    {
        var answer = new TaskCompletionSource<BotOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[tag] = answer;
        if (_ended.Task.IsCompleted)
        {
            answer.TrySetResult(BotOutcome.ConnectionLost);
        }

        return answer.Task;
    }

    /// <summary>Closes the connection, with a reset when <paramref name="abort"/>, and waits for the receive loop.</summary>
    public async Task CloseAsync(bool abort)
    {
        // Close(0) lingers for no time at all, which resets the connection; Dispose closes it normally.
        if (abort)
        {
            _socket.Close(0);
        }
        else
        {
            _socket.Dispose();
        }

        await _receiving;
        await _stream.DisposeAsync();
    }

    private async Task ReceiveAsync(PipeReader reader)
    {
        try
        {
            await FrameCodec.ReadFramesAsync(reader, FrameCodec.DefaultMaxFrameSize, OnFrame, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or ProtocolViolationException or OperationCanceledException)
        {
            // The connection ended.
        }
        finally
        {
            _ended.TrySetResult(CloseReason.None);
            foreach (var (_, answer) in _pending)
            {
                answer.TrySetResult(BotOutcome.ConnectionLost);
            }
        }
    }

    private ValueTask<bool> OnFrame(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Welcome:
                frame.ReadInt64();
                _welcome.TrySetResult();
                return new(true);

            case FrameType.LevelLoaded:
                Answer(frame.ReadUInt16(), BotOutcome.Completed);
                return new(true);

            case ClusterFrames.RequestFailed:
                var (tag, outcome) = ClusterFrames.ReadFailed(frame);
                Answer(tag, outcome switch
                {
                    RequestOutcome.Replaced => BotOutcome.Replaced,
                    RequestOutcome.TimedOut => BotOutcome.TimedOut,
                    RequestOutcome.Stopped => BotOutcome.Stopped,
                    RequestOutcome.Unanswered => BotOutcome.Unanswered,
                    _ => throw new ProtocolViolationException(CloseReason.InvalidPayload, $"Unknown request outcome {outcome}."),
                });
                return new(true);

            case FrameType.Goodbye when !frame.Payload.IsEmpty:
                _ended.TrySetResult((CloseReason)frame.Payload.FirstSpan[0]);
                return new(false);

            default:
                throw new ProtocolViolationException(CloseReason.UnknownFrameType, $"Unexpected frame {frame.Type}.");
        }
    }

    private void Answer(ushort tag, BotOutcome outcome)
    {
        if (_pending.TryRemove(tag, out var answer))
        {
            answer.TrySetResult(outcome);
        }
    }
}
