using System;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// A node that stops without leaving: its entities' tokens end on that node as its actors stop; the survivors see
/// it unreachable, one of them downs it (<see cref="AkkaCluster.Down"/>), and the entity starts again on a
/// surviving node with its next message, with fresh tokens.
/// </summary>
/// <remarks>
/// The hardest stop Akka offers inside one process (a killed process is what samples/GameServer.Cluster does):
/// first the node's remoting transport is shut down, so it can send nothing more to anyone (no leave, no
/// hand-off, no last gossip), then its <see cref="global::Akka.Actor.ActorSystem"/> is terminated with
/// <c>coordinated-shutdown.run-by-actor-system-terminate = off</c>, which stops every actor without any
/// coordinated-shutdown phase.
/// </remarks>
[Collection(ClusterCollection.Name)]
public sealed class NodeLossTests : ClusterSpec
{
    public NodeLossTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Theory]
    [InlineData(OwnerRoute.Extension)]
    [InlineData(OwnerRoute.BaseClass)]
    public async Task NodeStoppedWithoutLeaving_EndsTokensOnThatNode_AndTheEntityRestartsOnASurvivorWithFreshTokens(OwnerRoute route)
    {
        var node2 = StartNode();
        var node3 = StartNode();
        await JoinAsync(node2, node3);
        var strategy = new RequesterAllocationStrategy();
        await StartShardingAsync(Sys, strategy, TimeSpan.FromMinutes(5), route);
        var region2 = await StartShardingAsync(node2, strategy, TimeSpan.FromMinutes(5), route);
        var region3 = await StartShardingAsync(node3, strategy, TimeSpan.FromMinutes(5), route);

        var first = await PlayAsync(region3, "player-3", 1);
        Assert.Equal(NodeOf(node3), first.Node);
        await PlayAsync(region3, "player-3", 2, hold: true);

        var members = CreateTestProbe();
        AkkaCluster.Get(Sys).Subscribe(members.Ref, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember));
        var lost = AkkaCluster.Get(node3).SelfAddress;

        await ((IRemoteActorRefProvider)((ExtendedActorSystem)node3).Provider).Transport.Shutdown().WaitAsync(Bound);
        Assert.Empty(Journal.Of<Stopped>(first.Incarnation)); // cut off, but still running
        await node3.Terminate().WaitAsync(Bound);

        // On node 3 itself, by the time its system has terminated: the entity stopped and every token of its
        // incarnation ended, with nothing left undisposed.
        Assert.Single(Journal.Of<Stopped>(first.Incarnation));
        AssertAllTokensEnded(first.Incarnation);
        CounterOf(node3).AssertBalanced();
        await AssertHeldWorkDroppedAsync(first.Incarnation);

        // The survivors never heard a goodbye: node 3 becomes unreachable, and node 1 downs it.
        await members.FishForMessageAsync(m => m is ClusterEvent.UnreachableMember u && u.Member.Address == lost, Bound);
        AkkaCluster.Get(Sys).Down(lost);
        await members.FishForMessageAsync(m => m is ClusterEvent.MemberRemoved r && r.Member.Address == lost, Bound);

        var next = await PlayUntilAnsweredAsync(region2, "player-3", 3);
        Assert.Equal(NodeOf(node2), next.Node);
        Assert.NotEqual(first.Incarnation, next.Incarnation);
        var started = Assert.Single(Journal.Of<Started>(next.Incarnation));
        AssertAllTokensEnded(first.Incarnation, before: started);
        AssertFreshLiveTokens(next.Incarnation);
    }
}
