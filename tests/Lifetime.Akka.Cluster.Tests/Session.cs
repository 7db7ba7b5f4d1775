using System;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Cluster.Sharding;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// A player session's behaviour, written the way docs/akka.md's "Cluster-sharded entities" section shows it, on
/// whichever incarnation owner the entity got (<see cref="SessionEntity"/>: <c>Context.GetTokenOwner()</c>;
/// <see cref="BaseClassSessionEntity"/>: <see cref="TokenOwnerReceiveActor"/>'s <c>Owner</c>). A session token
/// from the owner's default slot; an idle slot, renewed once and then touched by every turn, whose expiry makes
/// the entity ask its shard to passivate it; a request slot, where each turn cancels the previous one. Every
/// token it hands out, and every token's end, goes to the spec's <see cref="Journal"/>. Used only on the
/// entity's own thread.
/// </summary>
public sealed class Session
{
    private readonly TokenOwner _owner;
    private readonly TokenSlot _idle;
    private readonly TokenSlot _request;
    private readonly Journal _journal;
    private readonly TimeSpan _idleTimeout;
    private readonly IActorRef _self;
    private readonly IActorRef _shard;
    private readonly int _incarnation;
    private readonly string _node;
    private CancellationToken _idleToken; // this incarnation's idle token
    private bool _sessionStarted;

    public Session(TokenOwner owner, string playerId, Journal journal, TimeSpan idleTimeout, IActorContext context)
    {
        _owner = owner;
        _journal = journal;
        _idleTimeout = idleTimeout;
        _self = context.Self;
        _shard = context.Parent;
        _incarnation = journal.NextIncarnation();
        _node = AkkaCluster.Get(context.System).SelfAddress.ToString();
        _idle = owner.CreateSlot();
        _request = owner.CreateSlot();
        journal.Record(new Started(_incarnation, playerId, _node));
    }

    public async Task PlayAsync(Play play, IActorRef sender)
    {
        if (!_sessionStarted)
        {
            _sessionStarted = true;
            Issue("session", await _owner.RenewAsync());
        }

        // Touch moves the idle deadline; renew only the first time.
        if (!await _idle.TouchAsync(_idleTimeout))
        {
            var idle = _idleToken = await _idle.RenewAfterAsync(_idleTimeout);
            Issue("idle", idle);
            var self = _self;
            idle.Register(() => self.Tell(new IdleExpired(idle))); // runs on the owner's path: just a Tell
        }

        // Each turn cancels the previous one's token.
        var request = await _request.RenewAfterAsync(TimeSpan.FromMinutes(1));
        Issue("request", request);
        if (play.Hold)
        {
            // Work that outlives this message: its outcome is piped back only while its token is current.
            var journal = _journal;
            var incarnation = _incarnation;
            var turn = play.Turn;
            _ = ResolveAsync(request)
                .PipeToIfCurrent(_request, request, _self, success: _ => new Resolved(turn, request))
                .ContinueWith(piped => journal.Record(new WorkEnded(incarnation, turn, piped.Result)), TaskScheduler.Default);
        }

        _journal.Record(new Replied(_incarnation, play.Turn));
        sender.Tell(new Played(play.PlayerId, play.Turn, _incarnation, _node), _self);
    }

    /// <summary>
    /// Idle: ask the shard to passivate. A restart keeps the mailbox but ends the old incarnation's idle token,
    /// whose callback then sends <see cref="IdleExpired"/> to the new instance: the token in the message tells
    /// the two apart.
    /// </summary>
    public void OnIdleExpired(IdleExpired expired)
    {
        if (expired.Token == _idleToken)
        {
            _journal.Record(new Passivating(_incarnation));
            _shard.Tell(new Passivate(PoisonPill.Instance), _self);
        }
    }

    public void OnStopped() => _journal.Record(new Stopped(_incarnation));

    /// <summary>Work that never finishes on its own: it ends when its token does.</summary>
    private static async Task<int> ResolveAsync(CancellationToken token)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, token);
        return 0;
    }

    private void Issue(string slot, CancellationToken token)
    {
        _journal.Record(new Issued(_incarnation, slot, token, _owner));
        var owner = _owner;
        var journal = _journal;
        var incarnation = _incarnation;

        // The cause is set before the token is cancelled, so the callback can read it.
        token.Register(() => journal.Record(new TokenEnded(incarnation, slot, token, owner.GetEndCause(token))));
    }

    public sealed record IdleExpired(CancellationToken Token);

    /// <summary>The outcome of a held turn's work. It never arrives in these specs: that work only ends by cancellation.</summary>
    public sealed record Resolved(int Turn, CancellationToken Token);
}
