using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.TestKit;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// A cluster of real <see cref="ActorSystem"/>s in the test process: <c>Sys</c> is the first node (the oldest,
/// so it hosts the shard coordinator); <see cref="StartNode"/> adds more. Each node has Akka.Remote on
/// 127.0.0.1, port 0, the Lifetime.Akka extension installed through HOCON, and its own
/// <see cref="SourceCounter"/>. Gossip, failure detection and sharding's intervals are shortened so a spec takes
/// a few seconds; the specs down nodes themselves (no downing provider).
/// </summary>
public abstract class ClusterSpec : global::Akka.TestKit.Xunit2.TestKit
{
    public const string TypeName = "session";

    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private const string NodeHocon = """
        akka {
          loglevel = WARNING
          extensions = ["Lifetime.Akka.ActorTokenOwnersProvider, Lifetime.Akka"]
          actor.provider = cluster
          remote.dot-netty.tcp {
            hostname = "127.0.0.1"
            port = 0
          }
          cluster {
            # The specs down nodes explicitly (Cluster.Down from a survivor).
            downing-provider-class = ""
            periodic-tasks-initial-delay = 100ms
            gossip-interval = 100ms
            leader-actions-interval = 100ms
            unreachable-nodes-reaper-interval = 100ms
            failure-detector {
              heartbeat-interval = 200ms
              acceptable-heartbeat-pause = 1s
              expected-response-after = 200ms
            }
            singleton.hand-over-retry-interval = 200ms
            sharding {
              state-store-mode = ddata
              # Our own idle slot passivates, not sharding's timer.
              passivate-idle-entity-after = off
              retry-interval = 200ms
              coordinator-failure-backoff = 200ms
              waiting-for-state-timeout = 1s
              updating-state-timeout = 2s
              handoff-timeout = 10s
              rebalance-interval = 300ms
              least-shard-allocation-strategy.rebalance-absolute-limit = 1
            }
          }
          coordinated-shutdown {
            run-by-clr-shutdown-hook = off
            # Tear-down terminates every node at once; a leave would wait for nodes already gone. A graceful
            # leave in a spec is an explicit Cluster.Leave, which runs coordinated shutdown on the leaving node.
            run-by-actor-system-terminate = off
          }
        }
        """;

    // Sharding's and distributed data's serializers from the start: a node that has joined but not yet started
    // its region already receives the other nodes' replicator gossip.
    private static readonly Config s_nodeConfig = ConfigurationFactory.ParseString(NodeHocon).WithFallback(ClusterSharding.DefaultConfig());

    private readonly List<ActorSystem> _nodes = new();
    private readonly List<ActorSystem> _joined = new();
    private readonly Dictionary<ActorSystem, SourceCounter> _counters = new();

    private readonly ITestOutputHelper _output;

    protected ClusterSpec(ITestOutputHelper output)
        : base(s_nodeConfig, "lifetime", output)
    {
        _output = output;
        Events = CreateTestProbe();
        Journal = new Journal(Events.Ref);
        Install(Sys);
    }

    /// <summary>Receives every journal event, in order.</summary>
    protected TestProbe Events { get; }

    protected Journal Journal { get; }

    protected SessionMessageExtractor Extractor { get; } = new(maxShards: 10);

    protected SourceCounter CounterOf(ActorSystem node) => _counters[node];

    /// <summary>Writes a step and the time since the spec started to the test output.</summary>
    protected void Step(string what) => _output.WriteLine($"{Journal.Now.TotalMilliseconds,7:F0} ms {what}");

    protected static string NodeOf(ActorSystem node) => AkkaCluster.Get(node).SelfAddress.ToString();

    /// <summary>Starts another node (not yet joined).</summary>
    protected ActorSystem StartNode()
    {
        var node = ActorSystem.Create(Sys.Name, Sys.Settings.Config);
        _nodes.Add(node);
        Install(node);
        return node;
    }

    /// <summary>Joins <paramref name="nodes"/> to the first node's cluster and waits until every member sees all of them up.</summary>
    protected async Task JoinAsync(params ActorSystem[] nodes)
    {
        var first = AkkaCluster.Get(Sys).SelfAddress;
        await Task.WhenAll(nodes.Prepend(Sys).Select(n => AkkaCluster.Get(n).JoinAsync(first))).WaitAsync(Bound);
        _joined.AddRange(nodes);
        var members = _joined.Where(n => !n.WhenTerminated.IsCompleted).Prepend(Sys).ToList();
        await AwaitAssertAsync(
            () =>
            {
                foreach (var n in members)
                {
                    var up = AkkaCluster.Get(n).State.Members.Count(m => m.Status == global::Akka.Cluster.MemberStatus.Up);
                    Assert.Equal(members.Count, up);
                }
            },
            Bound);
    }

    /// <summary>Starts the session shard region on <paramref name="node"/>, as each node of an application would.</summary>
    protected Task<IActorRef> StartShardingAsync(ActorSystem node, IShardAllocationStrategy strategy, TimeSpan idleTimeout, OwnerRoute route = OwnerRoute.Extension)
    {
        var journal = Journal;
        Func<string, Props> props = route switch
        {
            OwnerRoute.Extension => id => Props.Create(() => new SessionEntity(id, journal, idleTimeout)),
            OwnerRoute.BaseClass => id => Props.Create(() => new BaseClassSessionEntity(id, journal, idleTimeout)),
            _ => throw new ArgumentOutOfRangeException(nameof(route), route, "not a route"),
        };
        return ClusterSharding.Get(node).StartAsync(
            TypeName,
            props,
            ClusterShardingSettings.Create(node),
            Extractor,
            strategy,
            PoisonPill.Instance).WaitAsync(Bound);
    }

    protected static Task<Played> PlayAsync(IActorRef region, string player, int turn, bool hold = false) =>
        region.Ask<Played>(new Play(player, turn, hold), Bound);

    /// <summary>
    /// Sends a turn until one is answered, each try bounded, all within <see cref="Bound"/>. Sharding delivers at
    /// most once: while the cluster is still settling a move (a region that has not yet heard that a node is
    /// gone) a message can be lost, and a client retries, as this does.
    /// </summary>
    protected static async Task<Played> PlayUntilAnsweredAsync(IActorRef region, string player, int turn)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await region.Ask<Played>(new Play(player, turn), TimeSpan.FromSeconds(2));
            }
            catch (AskTimeoutException) when (clock.Elapsed < Bound)
            {
            }
        }
    }

    /// <summary>Waits for the first journal event of type <typeparamref name="T"/> that matches.</summary>
    /// <remarks>
    /// The journal first: an earlier wait may have fished past this event on the probe (callbacks run in an order
    /// of their own, so a held turn's work can end before the token callback recorded just ahead of it). An event
    /// recorded after that look is still in the probe's queue: earlier waits ended before it existed.
    /// </remarks>
    protected async Task<T> ExpectEventAsync<T>(Func<T, bool> match)
        where T : Event
    {
        var seen = Journal.Events.OfType<T>().FirstOrDefault(match);
        return seen ?? (T)await Events.FishForMessageAsync(m => m is T e && match(e), Bound);
    }

    /// <summary>
    /// Every token incarnation <paramref name="incarnation"/> handed out has ended (and its callback ran) before
    /// the journal event <paramref name="before"/>, or already if that is <see langword="null"/>; those still
    /// live at the end ended because the incarnation's owner ended.
    /// </summary>
    protected void AssertAllTokensEnded(int incarnation, Event? before = null, TokenEndCause idleCause = TokenEndCause.OwnerEnded)
    {
        var issued = Journal.Of<Issued>(incarnation);
        var ended = Journal.Of<TokenEnded>(incarnation);
        Assert.NotEmpty(issued);
        foreach (var token in issued)
        {
            Assert.True(token.Token.IsCancellationRequested, $"incarnation {incarnation}: its {token.Slot} token is still live");
            var end = Assert.Single(ended, e => e.Token == token.Token);
            Assert.True(before is null || end.Seq < before.Seq, $"incarnation {incarnation}: its {token.Slot} token ended (#{end.Seq}) after #{before?.Seq} {before}");
        }

        // The last token of each slot was live until the end, so the end of the incarnation ended it (except an
        // idle token that timed out: that is what passivated the entity).
        foreach (var last in issued.GroupBy(i => i.Slot).Select(g => g.Last()))
        {
            var cause = last.Slot == "idle" ? idleCause : TokenEndCause.OwnerEnded;
            Assert.Equal(cause, last.Owner.GetEndCause(last.Token));
            Assert.Equal(cause, Assert.Single(ended, e => e.Token == last.Token).Cause);
        }

        // Earlier request tokens were ended by the next turn's renew.
        foreach (var renewed in issued.Where(i => i.Slot == "request").SkipLast(1))
        {
            Assert.Equal(TokenEndCause.Renewed, Assert.Single(ended, e => e.Token == renewed.Token).Cause);
        }
    }

    /// <summary>
    /// The work a held turn of <paramref name="incarnation"/> started was cancelled with it, and
    /// <c>PipeToIfCurrent</c> dropped its outcome instead of sending it to the stopped entity.
    /// </summary>
    protected async Task AssertHeldWorkDroppedAsync(int incarnation)
    {
        var ended = await ExpectEventAsync<WorkEnded>(w => w.Incarnation == incarnation);
        Assert.False(ended.Piped, $"incarnation {incarnation}: the outcome of turn {ended.Turn}'s work was sent after its token ended");
    }

    /// <summary>
    /// The tokens of a new incarnation were live when issued, none of them is a token of an earlier incarnation,
    /// and (unless <paramref name="mayHaveEndedSince"/>: an entity that passivates soon) they are live now, bar
    /// request tokens that a later turn renewed.
    /// </summary>
    protected void AssertFreshLiveTokens(int incarnation, bool mayHaveEndedSince = false)
    {
        var issued = Journal.Of<Issued>(incarnation);
        Assert.Equal(new[] { "idle", "request", "session" }, issued.Select(i => i.Slot).Distinct().Order());
        var earlier = Journal.Events.OfType<Issued>().Where(i => i.Incarnation != incarnation).Select(i => i.Token).ToList();
        var lastRequest = issued.Last(i => i.Slot == "request");
        foreach (var token in issued)
        {
            Assert.DoesNotContain(token.Token, earlier);
            Assert.True(token.LiveWhenIssued, $"incarnation {incarnation}: its {token.Slot} token was born cancelled");
            if (mayHaveEndedSince)
            {
                continue;
            }

            var expected = token.Slot == "request" && token != lastRequest ? TokenEndCause.Renewed : TokenEndCause.Live;
            Assert.Equal(expected, token.Owner.GetEndCause(token.Token));
            Assert.Equal(expected != TokenEndCause.Live, token.Token.IsCancellationRequested);
        }
    }

    protected override void AfterAll()
    {
        // The journal in the test's output: what each incarnation did, in order, on which node.
        foreach (var e in Journal.Events)
        {
            _output.WriteLine($"#{e.Seq} {e.At.TotalMilliseconds,7:F0} ms {e}");
        }

        // Every node at once, without leaving: the cluster is being thrown away.
        Task.WhenAll(_nodes.Select(n => n.Terminate())).Wait(Bound);
        base.AfterAll();
    }

    private void Install(ActorSystem node)
    {
        var counter = new SourceCounter();
        _counters[node] = counter;
        ActorTokenOwners.Get(node).OptionsFactory = counter.Options;
    }
}
