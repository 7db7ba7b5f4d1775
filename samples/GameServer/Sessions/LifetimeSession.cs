using System;
using System.IO;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Protocol;
using GameServer.Reporting;
using GameServer.Server;
using Lifetime;

namespace GameServer.Sessions;

/// <summary>
/// One player's session, with every cancellation owned by one <see cref="TokenOwner"/>:
/// <list type="bullet">
/// <item>the owner's default slot holds the <b>session lifetime</b>: linked to the server token and
/// given the idle timeout as its deadline, which every heartbeat re-arms with
/// <see cref="TokenOwner.TouchAsync"/>;</item>
/// <item>the <b>request</b> slot holds the current request (load level, matchmaking with a timeout),
/// linked to the lifetime; a new request renews the slot and so cancels the previous one, and
/// <see cref="TokenSlot.IsCurrent"/> drops results of requests that were replaced;</item>
/// <item>the <b>write</b> watchdog, a third slot used only by the <see cref="SessionOutbox"/>'s write loop:
/// touched to the write timeout before each flush and disarmed after it, so a client that stops reading
/// is closed as a slow consumer.</item>
/// </list>
/// Why a token ended is never inferred: <see cref="TokenOwner.GetEndCause"/> tells the idle timeout from the
/// server shutdown when the lifetime ends, and a replaced request from a timed-out one or from one the session
/// ended. The session never creates, cancels or disposes a source itself; disposing the owner at the end
/// releases whatever is left.
/// </summary>
public sealed class LifetimeSession
{
    private readonly long _id;
    private readonly Socket _socket;
    private readonly GameServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly TokenOwner _owner;
    private readonly TokenSlot _requests;
    private readonly CancellationToken _serverToken;
    private readonly SessionOutbox _outbox;
    private readonly Func<Frame, ValueTask<bool>> _onFrame;
    private CancellationToken _lifetime;
    private string? _closeText;
    private int _closeReason;
    private bool _loggedIn;

    /// <summary>Creates a session; <see cref="RunAsync"/> runs it.</summary>
    /// <param name="id">The session id sent in the welcome.</param>
    /// <param name="socket">The connection; the session closes it.</param>
    /// <param name="options">The server settings.</param>
    /// <param name="metrics">The counters.</param>
    /// <param name="serverToken">Cancelled when the server shuts down.</param>
    public LifetimeSession(long id, Socket socket, GameServerOptions options, ServerMetrics metrics, CancellationToken serverToken)
    {
        _id = id;
        _socket = socket;
        _options = options;
        _metrics = metrics;
        _owner = new TokenOwner();
        _requests = _owner.CreateSlot();

        // The write watchdog: a third slot, used by the write loop while the read loop uses the others.
        _outbox = new SessionOutbox(_owner.CreateSlot(), options, RequestClose);
        _serverToken = serverToken;
        _onFrame = OnFrameAsync;
    }

    /// <summary>Runs the session until the client leaves, idles, misbehaves or the server shuts down.</summary>
    /// <returns>The reason it closed.</returns>
    public async Task<CloseReason> RunAsync()
    {
        _metrics.OnSessionStarted();
        var reason = CloseReason.ClientDisconnected;
        try
        {
            _lifetime = await _owner.RenewLinkedAfterAsync(_options.IdleTimeout, _serverToken);
            await using var stream = new NetworkStream(_socket, ownsSocket: false);
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
            var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
            var writeLoop = _outbox.RunWriteLoopAsync(writer);

            reason = await ReadLoopAsync(reader);
            _outbox.Close(reason, _closeText);
            await _requests.CancelAndDisposeAsync();
            await writeLoop;
            await reader.CompleteAsync();
            await SessionOutbox.CompleteQuietlyAsync(writer);
        }
        finally
        {
            _outbox.Complete();
            SessionSocket.Close(_socket);
            await _owner.DisposeAsync();
            _metrics.OnSessionClosed(reason);
        }

        return reason;
    }

    private async Task<CloseReason> ReadLoopAsync(PipeReader reader)
    {
        try
        {
            var clientLeft = await FrameCodec.ReadFramesAsync(reader, _options.MaxFrameSize, _onFrame, _lifetime);
            return clientLeft ? CloseReason.ClientLeft : RecordedReason() ?? CloseReason.ClientDisconnected;
        }
        catch (ProtocolViolationException ex)
        {
            _closeText = ex.Message;
            return ex.Reason;
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // The lifetime ends only by its server link, its idle deadline, or RequestClose (which records why).
            return _owner.GetEndCause(_lifetime) switch
            {
                TokenEndCause.TimedOut => CloseReason.IdleTimeout,
                TokenEndCause.LinkCancelled => CloseReason.ServerShutdown,
                _ => RecordedReason() ?? CloseReason.ClientDisconnected,
            };
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            return RecordedReason() ?? CloseReason.ClientDisconnected;
        }
    }

    private async ValueTask<bool> OnFrameAsync(Frame frame)
    {
        _metrics.OnFrame();
        var command = SessionProtocol.Interpret(frame, _loggedIn);
        switch (command.Type)
        {
            case FrameType.Hello:
                _loggedIn = true;
                _outbox.Enqueue(Frames.Welcome(_id));
                await TouchAsync();
                return true;

            case FrameType.Heartbeat:
                await TouchAsync();
                return true;

            case FrameType.LoadLevel or FrameType.FindMatch:
                await StartRequestAsync(command);
                return true;

            default:
                // A move needs no answer; a goodbye ends the read loop.
                return command.Type != FrameType.Bye;
        }
    }

    private async ValueTask TouchAsync()
    {
        // False means the idle deadline already fired: the pending read is being cancelled.
        await _owner.TouchAsync(_options.IdleTimeout);
        _metrics.OnTouch();
    }

    private async ValueTask StartRequestAsync(ClientCommand request)
    {
        var token = await SessionProtocol.RenewRequestAsync(_requests, request, _options.MatchTimeout, _lifetime, _metrics);
        _ = RunRequestAsync(request, token);
    }

    private async Task RunRequestAsync(ClientCommand request, CancellationToken token)
    {
        try
        {
            Reply(token, await SessionProtocol.RunRequestAsync(request, _options.MatchTimeout, token));
        }
        catch (OperationCanceledException)
        {
            // Renewed (a newer request), TimedOut (matchmaking), LinkCancelled (the lifetime ended), or
            // Cancelled (the session closed): recorded before the token was cancelled, so it is final here.
            var cause = _owner.GetEndCause(token);
            _metrics.OnOperationCancelled(cause);
            if (cause == TokenEndCause.TimedOut)
            {
                _outbox.Enqueue(Frames.MatchTimedOut);
            }
        }
    }

    private void Reply(CancellationToken token, OutgoingFrame frame)
    {
        if (_requests.IsCurrent(token))
        {
            _outbox.Enqueue(frame);
            _metrics.OnOperationCompleted();
        }
        else
        {
            _metrics.OnStaleResult();
        }
    }

    /// <summary>Records the first close reason and ends the lifetime, which stops the read loop.</summary>
    private void RequestClose(CloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, (int)reason, 0) == 0)
        {
            _ = EndLifetimeAsync();
        }
    }

    private async Task EndLifetimeAsync() => await _owner.CancelAndDisposeAsync();

    private CloseReason? RecordedReason()
    {
        var reason = (CloseReason)Volatile.Read(ref _closeReason);
        return reason == CloseReason.None ? null : reason;
    }
}
