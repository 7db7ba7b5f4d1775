using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;
using GameServer.Akka.Reporting;
using GameServer.Protocol;
using GameServer.Reporting;
using GameServer.Server;
using GameServer.Sessions;
using Lifetime;
using Lifetime.Akka;

namespace GameServer.Akka.Sessions;

/// <summary>
/// One player's session as an actor. Every cancellation of an incarnation is a token of the owner that
/// <c>Context.GetTokenOwner()</c> binds to it:
/// <list type="bullet">
/// <item>the default slot holds the <b>lifetime</b>: linked to the server token, with the idle timeout as its
/// deadline, touched by every heartbeat; the connection's reader reads under it;</item>
/// <item>the <b>request</b> slot holds the request in flight (load level, matchmaking with a timeout); a new
/// request renews it, and <c>PipeToIfCurrent</c> drops outcomes of replaced requests.</item>
/// </list>
/// Why a token ended comes from <see cref="TokenOwner.GetEndCause"/>, never from bookkeeping: a cancelled
/// request is counted by its cause (Renewed, TimedOut, LinkCancelled when the lifetime ended, Cancelled when
/// the session closed, OwnerEnded when a crash ended the incarnation), and an ended lifetime's cause picks
/// the close reason.
/// When the actor crashes, its supervisor restarts it; the adapter disposes the owner after
/// <c>PreRestart</c> and before the new instance is constructed, so the old lifetime, reader and request
/// are cancelled, and the new instance starts fresh ones on the same <see cref="SessionConnection"/>. The
/// session goes on: the client keeps its connection and its login, its unread frames wait in the mailbox,
/// its idle deadline is re-armed, and only a request in flight at the crash is lost (no reply, as if the
/// client had replaced it). When the session closes, the actor stops, which disposes the owner.
/// </summary>
internal sealed class SessionActor : ReceiveActor
{
    private readonly SessionConnection _connection;
    private readonly GameServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly AkkaMetrics _akka;
    private readonly TokenOwner _owner = Context.GetTokenOwner();
    private readonly TokenSlot _requests;
    private CancellationToken _lifetime;
    private CancellationToken _request;
    private bool _started;
    private bool _closed;

    /// <summary>Creates an incarnation; after a restart, first checks the tokens the crashed one held.</summary>
    /// <param name="connection">The connection, shared by every incarnation.</param>
    /// <param name="options">The server settings.</param>
    /// <param name="metrics">The server's counters.</param>
    /// <param name="akka">The Akka mode's counters.</param>
    public SessionActor(SessionConnection connection, GameServerOptions options, ServerMetrics metrics, AkkaMetrics akka)
    {
        _connection = connection;
        _options = options;
        _metrics = metrics;
        _akka = akka;
        _akka.OnIncarnation();
        if (connection.TakeCrashTokens() is { } old)
        {
            // The adapter's guarantee, observed: the crashed incarnation's tokens are cancelled before this
            // constructor runs.
            var cancelled = 0;
            foreach (var token in old)
            {
                cancelled += token.IsCancellationRequested ? 1 : 0;
            }

            _akka.OnRestartChecked(cancelled, old.Length - cancelled);
        }

        _requests = _owner.CreateSlot();
        ReceiveAsync<ClientFrame>(OnFrameAsync);
        ReceiveAsync<Start>(_ => EnsureStartedAsync());
        ReceiveAsync<InjectCrash>(OnCrashAsync);
        ReceiveAsync<LifetimeEnded>(OnLifetimeEndedAsync);
        ReceiveAsync<ReaderEnded>(OnReaderEndedAsync);
        ReceiveAsync<RequestCompleted>(OnRequestCompletedAsync);
        ReceiveAsync<RequestTimedOut>(OnRequestTimedOutAsync);
        ReceiveAsync<CloseRequested>(async request =>
        {
            await EnsureStartedAsync();
            Close(request.Reason, null);
        });
        Receive<Status.Failure>(failure => throw new InvalidOperationException("A session task failed unexpectedly.", failure.Cause));
    }

    /// <summary>Creates the props of a session actor.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="options">The server settings.</param>
    /// <param name="metrics">The server's counters.</param>
    /// <param name="akka">The Akka mode's counters.</param>
    /// <returns>The props; a restart constructs the next instance from them, on the same connection.</returns>
    public static Props Props(SessionConnection connection, GameServerOptions options, ServerMetrics metrics, AkkaMetrics akka)
        => global::Akka.Actor.Props.Create(() => new SessionActor(connection, options, metrics, akka));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        // Also run by PostRestart. Frames already in the mailbox come first; whichever message comes first starts the incarnation.
        Self.Tell(Start.Instance);
    }

    /// <inheritdoc/>
    protected override void PreRestart(Exception reason, object message)
    {
        // Base is not called on purpose: a session has no children, and PostStop is for the final stop. The
        // adapter does not need it either: it ends the owner after this method whatever it does (a request in
        // flight then ends as OwnerEnded, which its task counts).
        if (_connection.PeekCrashTokens() is { } tokens)
        {
            var live = 0;
            foreach (var token in tokens)
            {
                live += token.IsCancellationRequested ? 0 : 1;
            }

            _akka.OnPreRestart(live);
        }
    }

    /// <inheritdoc/>
    protected override void PostRestart(Exception reason)
    {
        _akka.OnRestarted();
        base.PostRestart(reason);
    }

    private async Task EnsureStartedAsync()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _connection.Attach(Self);
        _lifetime = await _owner.RenewLinkedAfterAsync(_options.IdleTimeout, _connection.ServerToken);

        // Any end of the lifetime is reported back; the handler tells its own lifetime from an earlier
        // incarnation's (a restart also ends the old one, and that message reaches the new instance).
        var self = Self;
        var lifetime = _lifetime;
        lifetime.UnsafeRegister(static state => Report((LifetimeEnded)state!), new LifetimeEnded(self, lifetime));

        var reading = _connection.StartReading(lifetime, self);
        Track(reading.PipeToIfCurrent(_owner, lifetime, self), _akka.OnReaderEndingDropped);
    }

    private async Task OnFrameAsync(ClientFrame message)
    {
        await EnsureStartedAsync();
        if (_closed)
        {
            return;
        }

        _metrics.OnFrame();
        try
        {
            await HandleAsync(message.ToFrame());
        }
        catch (ProtocolViolationException ex)
        {
            Close(ex.Reason, ex.Message);
        }
    }

    private async Task HandleAsync(Frame frame)
    {
        var command = SessionProtocol.Interpret(frame, _connection.LoggedIn);
        switch (command.Type)
        {
            case FrameType.Hello:
                _connection.LoggedIn = true;
                _connection.Enqueue(Frames.Welcome(_connection.Id));
                await TouchAsync();
                break;

            case FrameType.Heartbeat:
                await TouchAsync();
                break;

            case FrameType.LoadLevel or FrameType.FindMatch:
                await StartRequestAsync(command);
                break;

            case FrameType.Bye:
                Close(CloseReason.ClientLeft, null);
                break;
        }
    }

    private async Task TouchAsync()
    {
        // False means the idle deadline already fired: its LifetimeEnded message is on the way.
        await _owner.TouchAsync(_options.IdleTimeout);
        _metrics.OnTouch();
    }

    private async Task StartRequestAsync(ClientCommand request)
    {
        var token = await SessionProtocol.RenewRequestAsync(_requests, request, _options.MatchTimeout, _lifetime, _metrics);
        _request = token;
        var self = Self;
        var work = SessionProtocol.RunRequestAsync(request, _options.MatchTimeout, token);

        // A cancelled request's outcome is dropped by PipeToIfCurrent (its token is no longer current); why it
        // was cancelled is counted here, off the actor, and a match timeout is answered through the actor.
        _ = work.ContinueWith(
            static (_, state) => ((RequestCancellation)state!).Report(),
            new RequestCancellation(_owner, token, _metrics, self),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnCanceled | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Track(work.PipeToIfCurrent(_requests, token, self, success: reply => new RequestCompleted(token, reply)), () =>
        {
            if (work.IsCompletedSuccessfully)
            {
                _metrics.OnStaleResult();
            }

            _akka.OnRequestOutcomeDropped();
        });
    }

    private async Task OnRequestCompletedAsync(RequestCompleted completed)
    {
        await EnsureStartedAsync();
        if (_closed)
        {
            return;
        }

        // Exact here: only this actor renews its request slot.
        if (_requests.IsCurrent(completed.Token))
        {
            _connection.Enqueue(completed.Reply);
            _metrics.OnOperationCompleted();
        }
        else
        {
            _metrics.OnStaleResult();
        }
    }

    private async Task OnRequestTimedOutAsync(RequestTimedOut timedOut)
    {
        // The match timeout ended the request (GetEndCause said TimedOut), so the client is owed the answer,
        // also when an earlier incarnation started the search.
        await EnsureStartedAsync();
        if (!_closed)
        {
            _connection.Enqueue(Frames.MatchTimedOut);
        }
    }

    private async Task OnLifetimeEndedAsync(LifetimeEnded ended)
    {
        await EnsureStartedAsync();
        if (ended.Token != _lifetime)
        {
            // An earlier incarnation's lifetime, ended by the restart.
            return;
        }

        // Only its idle deadline and its server link end a live incarnation's lifetime.
        var reason = _owner.GetEndCause(ended.Token) == TokenEndCause.TimedOut ? CloseReason.IdleTimeout : CloseReason.ServerShutdown;
        Close(reason, null);
    }

    private async Task OnReaderEndedAsync(ReaderEnded ended)
    {
        // A real ending (the client went away or broke the framing) is acted on by whichever incarnation
        // gets it; a reader stopped by its token reports nothing (PipeToIfCurrent drops it).
        await EnsureStartedAsync();
        if (ended.Reason != CloseReason.None)
        {
            Close(ended.Reason, ended.Text);
        }
    }

    private async Task OnCrashAsync(InjectCrash crash)
    {
        await EnsureStartedAsync();
        if (_closed)
        {
            return;
        }

        var live = new List<CancellationToken>(2);
        if (!_lifetime.IsCancellationRequested)
        {
            live.Add(_lifetime);
        }

        if (_request.CanBeCanceled && !_request.IsCancellationRequested)
        {
            live.Add(_request);
        }

        _connection.SetCrashTokens(live.ToArray());
        _akka.OnCrashInjected(live.Count);
        throw new InjectedCrashException($"Injected crash in session {_connection.Id}.");
    }

    /// <summary>Closes the session once and stops the actor; the stop disposes the owner, ending every token.</summary>
    private void Close(CloseReason reason, string? text)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;

        // A request still in flight ends as Cancelled (unless the lifetime's end has already ended it as
        // LinkCancelled), so its cause tells a closed session from a crashed incarnation (OwnerEnded).
        _requests.CancelAndDispose();
        _connection.Close(reason, text);
        Context.Stop(Self);
    }

    /// <summary>Counts what <c>PipeToIfCurrent</c> dropped, without continuing on the actor's task scheduler.</summary>
    private static void Track(Task<bool> sent, Action onDropped)
        => sent.ContinueWith(
            static (task, state) =>
            {
                if (!task.Result)
                {
                    ((Action)state!)();
                }
            },
            onDropped,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private static void Report(SelfMessage message) => message.Self.Tell(message);

    /// <summary>Starts the incarnation (sent by <see cref="PreStart"/>).</summary>
    private sealed class Start
    {
        public static readonly Start Instance = new();
    }

    /// <summary>A message an actor sends itself from a token callback.</summary>
    private abstract record SelfMessage(IActorRef Self, CancellationToken Token);

    /// <summary>A lifetime token ended (idle timeout, server shutdown, or the restart or stop of its incarnation).</summary>
    private sealed record LifetimeEnded(IActorRef Self, CancellationToken Token) : SelfMessage(Self, Token);

    /// <summary>A matchmaking request's own deadline ended it.</summary>
    private sealed record RequestTimedOut(IActorRef Self, CancellationToken Token) : SelfMessage(Self, Token);

    /// <summary>A request whose work was cancelled: counts its token's end cause, and reports a match timeout to the actor.</summary>
    private sealed record RequestCancellation(TokenOwner Owner, CancellationToken Token, ServerMetrics Metrics, IActorRef Self)
    {
        public void Report()
        {
            // Recorded before the token was cancelled, and still answered after the owner has ended.
            var cause = Owner.GetEndCause(Token);
            Metrics.OnOperationCancelled(cause);
            if (cause == TokenEndCause.TimedOut)
            {
                SessionActor.Report(new RequestTimedOut(Self, Token));
            }
        }
    }

    /// <summary>A request's work completed while its token was current.</summary>
    private sealed record RequestCompleted(CancellationToken Token, OutgoingFrame Reply);
}
