using System;
using System.Diagnostics;
using System.IO;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Protocol;

namespace GameServer.Bots;

/// <summary>One connection of a bot: the socket, its pipes, and a receive loop that records what arrives.</summary>
internal sealed class BotConnection
{
    /// <summary>The level id a bot loads right after its last heartbeat before idling: its reply proves the heartbeat was processed.</summary>
    public const ushort IdleProbeLevel = 0;

    private readonly Socket _socket;
    private readonly BotMetrics _metrics;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly TaskCompletionSource _welcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<CloseReason> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiving = Task.CompletedTask;
    private long _goodbyeAt;
    private long _idleProbeAnsweredAt;

    public BotConnection(Socket socket, BotMetrics metrics)
    {
        _socket = socket;
        _metrics = metrics;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>Completes when the server welcomes the login.</summary>
    public Task Welcome => _welcome.Task;

    /// <summary>Completes with the goodbye's reason, or <see cref="CloseReason.None"/> when the connection ended without one.</summary>
    public Task<CloseReason> Ended => _ended.Task;

    /// <summary>When the goodbye arrived (a <see cref="Stopwatch"/> timestamp).</summary>
    public long GoodbyeAt => Volatile.Read(ref _goodbyeAt);

    /// <summary>When the idle probe's reply arrived, or 0.</summary>
    public long IdleProbeAnsweredAt => Volatile.Read(ref _idleProbeAnsweredAt);

    public void StartReceiving(CancellationToken connection) => _receiving = ReceiveAsync(connection);

    public async ValueTask SendAsync(OutgoingFrame frame, CancellationToken connection) => await FrameCodec.SendAsync(_writer, frame, connection);

    /// <summary>Closes the connection: with a reset when <paramref name="abort"/>, else with a normal FIN; then waits for the receive loop.</summary>
    public async Task CloseAsync(bool abort)
    {
        try
        {
            if (abort)
            {
                _socket.LingerState = new LingerOption(true, 0);
            }
            else
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed by the server.
        }

        _socket.Dispose();
        await _receiving;
        await _stream.DisposeAsync();
    }

    private async Task ReceiveAsync(CancellationToken connection)
    {
        try
        {
            await FrameCodec.ReadFramesAsync(_reader, FrameCodec.DefaultMaxFrameSize, OnFrame, connection);
        }
        catch (ProtocolViolationException)
        {
            _metrics.OnProtocolError();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection ended: reset, closed, or the bot stopped.
        }
        finally
        {
            _ended.TrySetResult(CloseReason.None);
        }
    }

    private ValueTask<bool> OnFrame(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Welcome:
                frame.ReadInt64();
                _metrics.OnLogin();
                _welcome.TrySetResult();
                return new(true);

            case FrameType.LevelLoaded:
                if (frame.ReadUInt16() == IdleProbeLevel)
                {
                    Volatile.Write(ref _idleProbeAnsweredAt, Stopwatch.GetTimestamp());
                }

                _metrics.OnReply();
                return new(true);

            case FrameType.MatchFound:
                frame.ReadUInt32();
                _metrics.OnReply();
                return new(true);

            case FrameType.MatchTimedOut:
                frame.ExpectEmpty();
                _metrics.OnReply();
                _metrics.OnMatchTimeout();
                return new(true);

            case FrameType.Goodbye when !frame.Payload.IsEmpty:
                var reason = (CloseReason)frame.Payload.FirstSpan[0];
                Volatile.Write(ref _goodbyeAt, Stopwatch.GetTimestamp());
                _metrics.OnGoodbye(reason);
                if (CloseReasons.IsProtocolViolation(reason))
                {
                    // These bots follow the protocol: a violation goodbye means the server misread them.
                    _metrics.OnProtocolError();
                }

                _ended.TrySetResult(reason);
                return new(false);

            default:
                _metrics.OnProtocolError();
                return new(false);
        }
    }
}
