using System;
using System.Threading;
using Akka.Actor;
using Akka.Cluster.Sharding;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// A player session as a sharded entity, written the way docs/akka.md's "Cluster-sharded entities" section shows:
/// the incarnation's owner from <c>Context.GetTokenOwner()</c>, a session token from its default slot, an idle
/// slot (renewed once, then touched by every turn; when it fires the entity asks its shard to passivate it) and
/// a request slot (each turn cancels the previous one). Every token it hands out, and every token's end, goes to
/// the spec's <see cref="Journal"/>.
/// </summary>
public sealed class SessionEntity : ReceiveActor
{
    private readonly TokenOwner _owner = Context.GetTokenOwner();
    private readonly TokenSlot _idle;
    private readonly TokenSlot _request;
    private readonly Journal _journal;
    private readonly TimeSpan _idleTimeout;
    private readonly int _incarnation;
    private readonly string _node;
    private CancellationToken _idleToken; // this incarnation's idle token
    private bool _sessionStarted;

    public SessionEntity(string playerId, Journal journal, TimeSpan idleTimeout)
    {
        _journal = journal;
        _idleTimeout = idleTimeout;
        _incarnation = journal.NextIncarnation();
        _node = AkkaCluster.Get(Context.System).SelfAddress.ToString();
        _idle = _owner.CreateSlot();
        _request = _owner.CreateSlot();
        journal.Record(new Started(_incarnation, playerId, _node));

        ReceiveAsync<Play>(async play =>
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
                var self = Self;
                idle.Register(() => self.Tell(new IdleExpired(idle))); // runs on the owner's path: just a Tell
            }

            // Each turn cancels the previous one's token.
            Issue("request", await _request.RenewAfterAsync(TimeSpan.FromMinutes(1)));

            _journal.Record(new Replied(_incarnation, play.Turn));
            Sender.Tell(new Played(play.PlayerId, play.Turn, _incarnation, _node));
        });

        // A restart keeps the mailbox but ends the old incarnation's idle token, whose callback then sends
        // IdleExpired to the new instance: the token in the message tells the two apart.
        Receive<IdleExpired>(expired =>
        {
            if (expired.Token == _idleToken)
            {
                _journal.Record(new Passivating(_incarnation));
                Context.Parent.Tell(new Passivate(PoisonPill.Instance));
            }
        });
    }

    public static Props Props(string playerId, Journal journal, TimeSpan idleTimeout) =>
        global::Akka.Actor.Props.Create(() => new SessionEntity(playerId, journal, idleTimeout));

    protected override void PostStop() => _journal.Record(new Stopped(_incarnation));

    private void Issue(string slot, CancellationToken token)
    {
        _journal.Record(new Issued(_incarnation, slot, token, _owner));
        var owner = _owner;
        var journal = _journal;
        var incarnation = _incarnation;

        // The cause is set before the token is cancelled, so the callback can read it.
        token.Register(() => journal.Record(new TokenEnded(incarnation, slot, token, owner.GetEndCause(token))));
    }

    private sealed record IdleExpired(CancellationToken Token);
}
