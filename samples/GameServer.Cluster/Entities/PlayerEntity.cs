using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Cluster.Sharding;
using GameServer.Cluster.Events;
using Lifetime;
using Lifetime.Akka;

namespace GameServer.Cluster.Entities;

/// <summary>
/// One player as a sharded entity (entity id = player id). Every token it uses comes from its incarnation's
/// <see cref="TokenOwnerReceiveActor.Owner"/>, which ends before <see cref="PostStop"/> runs, so a
/// passivation, hand-off or rebalance cancels them all before the shard lets the entity start elsewhere:
/// <list type="bullet">
/// <item>the <b>idle</b> slot's token has the idle timeout as its deadline and every heartbeat touches it;
/// when it times out the entity asks its shard to passivate it;</item>
/// <item>the <b>request</b> slot holds the request in flight: a new request renews it (the previous one ends
/// as <see cref="TokenEndCause.Renewed"/> and its client is told it was replaced), and the simulated work is
/// piped back with <c>PipeToIfCurrent</c>, so the result of replaced or ended work is dropped.</item>
/// </list>
/// The entity logs its start (constructor), every token it was handed and every token's end (from the
/// token's own callback, with <see cref="TokenOwner.GetEndCause"/>), and its stop with the cause and the
/// number of its tokens still live when <c>PostStop</c> ran. The launcher checks the invariants on these
/// lines. Only the actor's own thread touches its fields, except <see cref="_liveTokens"/>, which a
/// deadline's callback may decrement from a timer thread.
/// </summary>
internal sealed class PlayerEntity : TokenOwnerReceiveActor
{
    private const string IdleSlot = "idle";
    private const string RequestSlot = "request";

    private readonly string _playerId;
    private readonly EntityContext _context;
    private readonly string _incarnation;
    private readonly TokenSlot _idle;
    private readonly TokenOwner _tokenOwner;
    private readonly TokenSlot _requests;
    private long _tokenNumbers;
    private int _liveTokens;
    private long _idleTokenNumber;
    private long _requestTokenNumber;
    private IActorRef? _asker;
    private int _askerTag;
    private int _served;
    private StopCause _stopCause = StopCause.Other;

    public PlayerEntity(string playerId, EntityContext context)
    {
        _playerId = playerId;
        _context = context;
        _incarnation = context.NextIncarnation();
        context.Log.Write(EventKind.Start, playerId, _incarnation);

        _tokenOwner = context.Fault == EntityFault.DetachedOwner ? new TokenOwner() : Owner;
        _idle = _tokenOwner.CreateSlot();
        _requests = _tokenOwner.CreateSlot();

        Receive<Login>(_ =>
        {
            TouchIdle();
            Sender.Tell(new LoginReply(_context.Node, _incarnation, _served));
        });
        Receive<Touch>(_ => TouchIdle());
        Receive<PlayerRequest>(OnRequest);
        Receive<WorkDone>(OnWorkDone);
        Receive<RequestTimedOut>(timedOut =>
        {
            if (timedOut.TokenNumber == _requestTokenNumber)
            {
                Answer(RequestOutcome.TimedOut);
            }
        });
        Receive<IdleExpired>(expired =>
        {
            // A heartbeat may have renewed the idle token since this one timed out: only the current one passivates.
            if (expired.TokenNumber == _idleTokenNumber && _stopCause == StopCause.Other)
            {
                _stopCause = StopCause.Passivated;
                Context.Parent.Tell(new Passivate(PassivateStop.Instance));
            }
        });
        Receive<PassivateStop>(_ => Context.Stop(Self));
        Receive<HandOffStop>(_ =>
        {
            _stopCause = _context.HandOffCause;
            Context.Stop(Self);
        });
    }

    /// <summary>Creates the props of the entity for <paramref name="playerId"/>.</summary>
    public static Props Props(string playerId, EntityContext context) => Akka.Actor.Props.Create(() => new PlayerEntity(playerId, context));

    /// <inheritdoc/>
    protected override void PostStop()
    {
        // The base class ended the owner before this method: with a correct entity every token is cancelled here.
        Answer(RequestOutcome.Stopped);
        _context.Log.Write(EventKind.Stop, _playerId, _incarnation, _stopCause, Volatile.Read(ref _liveTokens));
    }

    private void TouchIdle()
    {
        if (!_idle.Touch(_context.IdleTimeout))
        {
            _idleTokenNumber = Track(_idle.RenewAfter(_context.IdleTimeout), IdleSlot, _tokenOwner);
        }
    }

    private void OnRequest(PlayerRequest request)
    {
        TouchIdle();
        var previous = _asker;
        var previousTag = _askerTag;
        var token = _requests.RenewAfter(_context.RequestTimeout);
        _requestTokenNumber = Track(token, RequestSlot, _tokenOwner);
        _asker = Sender;
        _askerTag = request.Tag;

        // The renew ended the previous request's token (Renewed); its client hears of it after the state change.
        previous?.Tell(new RequestReply(previousTag, RequestOutcome.Replaced, _context.Node));
        WorkAsync(request.Tag, request.WorkMilliseconds, token)
            .PipeToIfCurrent(_requests, token, Self, success: tag => new WorkDone(token, tag));
    }

    private void OnWorkDone(WorkDone done)
    {
        // PipeToIfCurrent checked when the work finished; a renew may have come in between.
        if (!_requests.IsCurrent(done.Token))
        {
            return;
        }

        _served++;
        Answer(RequestOutcome.Completed);
        _requests.CancelAndDispose();
    }

    private void Answer(RequestOutcome outcome)
    {
        _asker?.Tell(new RequestReply(_askerTag, outcome, _context.Node));
        _asker = null;
    }

    /// <summary>Logs a token handed out and hooks its end; returns its number.</summary>
    private long Track(CancellationToken token, string slot, TokenOwner owner)
    {
        var number = ++_tokenNumbers;
        Interlocked.Increment(ref _liveTokens);
        _context.Log.Write(EventKind.Issued, _playerId, _incarnation, number, slot);
        var self = Self;
        token.UnsafeRegister(_ =>
        {
            var cause = owner.GetEndCause(token);
            _context.Log.Write(EventKind.Ended, _playerId, _incarnation, number, cause);
            Interlocked.Decrement(ref _liveTokens);
            if (cause == TokenEndCause.TimedOut)
            {
                // Runs on the deadline's thread: only a Tell, the actor decides.
                self.Tell(slot == IdleSlot ? new IdleExpired(number) : (object)new RequestTimedOut(number));
            }
        }, null);
        return number;
    }

    private static async Task<int> WorkAsync(int tag, int milliseconds, CancellationToken token)
    {
        await Task.Delay(milliseconds, token).ConfigureAwait(false);
        return tag;
    }

    /// <summary>The result of a request's work, piped back while its token was current.</summary>
    /// <param name="Token">The request's token; the dead-letter counter reads it to tell the race from a leak.</param>
    /// <param name="Tag">The request's tag.</param>
    internal sealed record WorkDone(CancellationToken Token, int Tag);

    private sealed record IdleExpired(long TokenNumber);

    private sealed record RequestTimedOut(long TokenNumber);

    private sealed class PassivateStop
    {
        public static readonly PassivateStop Instance = new();
    }
}
