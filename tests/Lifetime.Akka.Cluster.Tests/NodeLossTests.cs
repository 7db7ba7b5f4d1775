using System;
using System.Threading.Tasks;
using Akka.Cluster;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// A node that stops without leaving: its entities' tokens end on that node as its actors stop; the survivors see
/// it unreachable, one of them downs it (<see cref="AkkaCluster.Down"/>), and the entity starts again on a
/// surviving node with its next message, with fresh tokens.
/// </summary>
/// <remarks>
/// The node is stopped with <see cref="global::Akka.Actor.ActorSystem.Terminate"/> while
/// <c>coordinated-shutdown.run-by-actor-system-terminate = off</c>: no leave, no hand-off, no coordinated
/// shutdown phases, just every actor stopped and the transport closed. That is the hardest stop Akka offers
/// inside one process (a killed process is what samples/GameServer.Cluster does).
/// </remarks>
[Collection(ClusterCollection.Name)]
public sealed class NodeLossTests : ClusterSpec
{
    public NodeLossTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public async Task NodeTerminatedWithoutLeaving_EndsTokensOnThatNode_AndTheEntityRestartsOnASurvivorWithFreshTokens()
    {
        var node2 = StartNode();
        var node3 = StartNode();
        await JoinAsync(node2, node3);
        var strategy = new RequesterAllocationStrategy();
        await StartShardingAsync(Sys, strategy, TimeSpan.FromMinutes(5));
        var region2 = await StartShardingAsync(node2, strategy, TimeSpan.FromMinutes(5));
        var region3 = await StartShardingAsync(node3, strategy, TimeSpan.FromMinutes(5));

        var first = await PlayAsync(region3, "player-3", 1);
        Assert.Equal(NodeOf(node3), first.Node);
        await PlayAsync(region3, "player-3", 2);

        var members = CreateTestProbe();
        AkkaCluster.Get(Sys).Subscribe(members.Ref, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember));
        var lost = AkkaCluster.Get(node3).SelfAddress;

        await node3.Terminate().WaitAsync(Bound);

        // On node 3 itself: the entity stopped with its system, and every token of its incarnation ended there.
        var stopped = await ExpectEventAsync<Stopped>(s => s.Incarnation == first.Incarnation);
        AssertAllTokensEndedBefore(first.Incarnation, stopped with { Seq = long.MaxValue });
        CounterOf(node3).AssertBalanced();

        // The survivors never heard a goodbye: node 3 becomes unreachable, and node 1 downs it.
        await members.FishForMessageAsync(m => m is ClusterEvent.UnreachableMember u && u.Member.Address == lost, Bound);
        AkkaCluster.Get(Sys).Down(lost);
        await members.FishForMessageAsync(m => m is ClusterEvent.MemberRemoved r && r.Member.Address == lost, Bound);

        var next = await PlayUntilAnsweredAsync(region2, "player-3", 3);
        Assert.Equal(NodeOf(node2), next.Node);
        Assert.NotEqual(first.Incarnation, next.Incarnation);
        var started = Assert.Single(Journal.Of<Started>(next.Incarnation));
        AssertAllTokensEndedBefore(first.Incarnation, started);
        AssertFreshLiveTokens(next.Incarnation);
    }
}
