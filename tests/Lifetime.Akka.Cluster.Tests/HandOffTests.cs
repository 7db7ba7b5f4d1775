using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// A node that leaves the cluster gracefully hands its shards off: sharding stops their entities there, and each
/// entity starts again on another node with its next message. Every token the old incarnation issued must be
/// cancelled, on the old node, before the new incarnation exists (so before it answers).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HandOffTests : ClusterSpec
{
    public HandOffTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Theory]
    [InlineData(OwnerRoute.Extension)]
    [InlineData(OwnerRoute.BaseClass)]
    public async Task GracefulLeave_OfTheEntitysNode_EndsItsTokensBeforeTheEntityAnswersFromTheNewNode(OwnerRoute route)
    {
        var node2 = StartNode();
        await JoinAsync(node2);
        var strategy = new RequesterAllocationStrategy();
        var region1 = await StartShardingAsync(Sys, strategy, TimeSpan.FromMinutes(5), route);
        var region2 = await StartShardingAsync(node2, strategy, TimeSpan.FromMinutes(5), route);

        // Asked for from node 2, the shard and its entity live there. A second turn renews the request slot.
        var first = await PlayAsync(region2, "player-1", 1);
        Assert.Equal(NodeOf(node2), first.Node);
        await PlayAsync(region2, "player-1", 2, hold: true);

        AkkaCluster.Get(Sys).Leave(AkkaCluster.Get(node2).SelfAddress);

        // The hand-off stops the entity on node 2. Its next turn, sent at once (node 2 is still shutting down),
        // starts it on node 1.
        await ExpectEventAsync<Stopped>(s => s.Incarnation == first.Incarnation);
        var next = await PlayUntilAnsweredAsync(region1, "player-1", 3);
        Assert.Equal(NodeOf(Sys), next.Node);
        Assert.NotEqual(first.Incarnation, next.Incarnation);

        var started = Assert.Single(Journal.Of<Started>(next.Incarnation));
        var firstReply = Journal.Of<Replied>(next.Incarnation).First();
        Assert.True(started.Seq < firstReply.Seq);
        AssertAllTokensEnded(first.Incarnation, before: started);
        AssertFreshLiveTokens(next.Incarnation);
        await AssertHeldWorkDroppedAsync(first.Incarnation);

        // Node 2 finishes leaving and shuts down with no source left.
        await node2.WhenTerminated.WaitAsync(Bound);
        CounterOf(node2).AssertBalanced();
    }
}
