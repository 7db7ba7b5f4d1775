using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;
using GameServer.Protocol;
using GameServer.Server;
using GameServer.Sessions;
using Lifetime;

namespace GameServer.Akka.Sessions;

/// <summary>
/// The part of a session that outlives the incarnations of its <see cref="SessionActor"/>: the socket and its
/// pipes, the <see cref="SessionOutbox"/> and its write loop (whose watchdog is a slot of an owner that belongs
/// to the connection), and the little state a restart must keep (the session id and whether
/// the client has logged in). A crash loses everything else: the incarnation's lifetime, idle deadline,
/// request in flight and socket reader are its owner's tokens, and the adapter cancels them before the next
/// instance is constructed.
/// </summary>
/// <remarks>
/// <see cref="LoggedIn"/>, <see cref="StartReading"/>, <see cref="Attach"/> and the crash tokens are used
/// only by the session actor, one message at a time (Akka orders the memory of successive messages, also
/// across incarnations). The outbox and the close reason are shared with the write loop and the handler.
/// </remarks>
internal sealed class SessionConnection
{
    private readonly Socket _socket;
    private readonly GameServerOptions _options;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly TokenOwner _owner;
    private readonly SessionOutbox _outbox;
    private readonly TaskCompletionSource _actorStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IActorRef? _session;
    private Task _reading = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private CancellationToken[]? _crashTokens;
    private int _closeReason;

    /// <summary>Wraps an accepted connection.</summary>
    /// <param name="id">The session id sent in the welcome.</param>
    /// <param name="socket">The connection; <see cref="ReleaseAsync"/> closes it.</param>
    /// <param name="serverToken">Cancelled when the server shuts down.</param>
    /// <param name="options">The server settings.</param>
    public SessionConnection(long id, Socket socket, CancellationToken serverToken, GameServerOptions options)
    {
        Id = id;
        ServerToken = serverToken;
        _socket = socket;
        _options = options;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));

        // The write watchdog is a slot of an owner that belongs to the connection, not to an incarnation: a
        // crash must not cancel a flush half-way through a frame.
        _owner = new TokenOwner();
        _outbox = new SessionOutbox(_owner.CreateSlot(), options, RequestClose);
    }

    /// <summary>Gets the session id.</summary>
    public long Id { get; }

    /// <summary>Gets the server token: cancelled when the server shuts down.</summary>
    public CancellationToken ServerToken { get; }

    /// <summary>Gets or sets whether the client has logged in. Session actor only; kept across restarts.</summary>
    public bool LoggedIn { get; set; }

    /// <summary>Gets the reason the session closed, or <see cref="CloseReason.None"/> while it is open.</summary>
    public CloseReason Reason => (CloseReason)Volatile.Read(ref _closeReason);

    /// <summary>Gets a task that completes when the session actor has stopped for good (its supervisor saw it terminate).</summary>
    public Task ActorStopped => _actorStopped.Task;

    /// <summary>Binds the session actor (the first incarnation does) and starts the write loop once.</summary>
    /// <param name="session">The session actor; the same reference across restarts.</param>
    public void Attach(IActorRef session)
    {
        if (_session is not null)
        {
            return;
        }

        _session = session;

        // Off the actor's task scheduler: the loop outlives every incarnation.
        _writeLoop = Task.Run(() => _outbox.RunWriteLoopAsync(_writer));
    }

    /// <summary>
    /// Starts reading frames under <paramref name="token"/> and sending each to <paramref name="session"/>,
    /// after the previous incarnation's reader has finished (a pipe has one reader at a time, and frames stay
    /// in order). Frames already taken off the socket are always sent: they are in the actor's mailbox, which
    /// survives a restart.
    /// </summary>
    /// <param name="token">The incarnation's lifetime token; cancelling it stops the reader.</param>
    /// <param name="session">The session actor.</param>
    /// <returns>How reading ended; a reader stopped by <paramref name="token"/> reports <see cref="CloseReason.None"/>.</returns>
    public Task<ReaderEnded> StartReading(CancellationToken token, IActorRef session)
    {
        var previous = Volatile.Read(ref _reading);
        var reading = Task.Run(() => ReadAsync(previous, token, session));
        Volatile.Write(ref _reading, reading);
        return reading;
    }

    /// <summary>Leaves the live tokens of a crashing incarnation for the next one to check. Session actor only.</summary>
    /// <param name="tokens">The tokens.</param>
    public void SetCrashTokens(CancellationToken[] tokens) => _crashTokens = tokens;

    /// <summary>Takes the tokens a crashed incarnation left, if any. Session actor only.</summary>
    /// <returns>The tokens, or <see langword="null"/>.</returns>
    public CancellationToken[]? TakeCrashTokens()
    {
        var tokens = _crashTokens;
        _crashTokens = null;
        return tokens;
    }

    /// <summary>Gets the tokens a crashing incarnation left, without taking them. Session actor only.</summary>
    /// <returns>The tokens, or <see langword="null"/>.</returns>
    public CancellationToken[]? PeekCrashTokens() => _crashTokens;

    /// <summary>Queues a frame to the client; too many waiting frames close the session as a slow consumer.</summary>
    /// <param name="frame">The frame.</param>
    public void Enqueue(OutgoingFrame frame) => _outbox.Enqueue(frame);

    /// <summary>
    /// Closes the session, once: records <paramref name="reason"/>, queues the goodbye (unless the client is
    /// gone) and completes the outbox, so the write loop flushes what is queued and ends.
    /// </summary>
    /// <param name="reason">Why the session closes.</param>
    /// <param name="text">An optional explanation for the goodbye.</param>
    /// <returns>Whether this call closed it (<see langword="false"/> when it was closed already).</returns>
    public bool Close(CloseReason reason, string? text)
    {
        Debug.Assert(reason != CloseReason.None, "A close has a reason.");
        if (Interlocked.CompareExchange(ref _closeReason, (int)reason, 0) != 0)
        {
            return false;
        }

        _outbox.Close(reason, text);
        return true;
    }

    /// <summary>Called by the supervisor when the session actor has terminated.</summary>
    public void OnActorStopped() => _actorStopped.TrySetResult();

    /// <summary>
    /// After the actor stopped and the session closed: waits for the write loop and the last reader, then
    /// completes the pipes, closes the socket and disposes the connection's owner, with its write watchdog.
    /// </summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async Task ReleaseAsync()
    {
        Debug.Assert(Reason != CloseReason.None, "Released only once closed.");
        try
        {
            await _writeLoop;
            await SessionOutbox.CompleteQuietlyAsync(_writer);

            // The last reader reads under a token of a stopped actor's disposed owner: it has ended or is ending.
            await Volatile.Read(ref _reading);
            await _reader.CompleteAsync();
        }
        finally
        {
            SessionSocket.Close(_socket);
            await _stream.DisposeAsync();
            await _owner.DisposeAsync();
        }
    }

    private async Task<ReaderEnded> ReadAsync(Task previous, CancellationToken token, IActorRef session)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            var byeReceived = await FrameCodec.ReadFramesAsync(_reader, _options.MaxFrameSize, frame => Forward(frame, session), token);
            return byeReceived ? ReaderEnded.Stopped : new ReaderEnded(CloseReason.ClientDisconnected, null);
        }
        catch (ProtocolViolationException ex)
        {
            return new ReaderEnded(ex.Reason, ex.Message);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return ReaderEnded.Stopped;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return new ReaderEnded(CloseReason.ClientDisconnected, null);
        }
    }

    private static ValueTask<bool> Forward(Frame frame, IActorRef session)
    {
        // The payload points into the pipe's buffer: copy it before it crosses to the actor.
        session.Tell(new ClientFrame(frame.Type, frame.Payload.ToArray()));

        // A Bye ends the client's side: like the plain session, read no further.
        return new(frame.Type != FrameType.Bye);
    }

    /// <summary>Asks the session actor to close (from the write path, which must not touch the actor's state).</summary>
    private void RequestClose(CloseReason reason) => _session?.Tell(new CloseRequested(reason));
}
