using System;
using System.Linq;
using System.Threading.Tasks;
using Akka.Cluster.Sharding;
using Xunit.Abstractions;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// A node that joins late takes shards from a loaded one: Akka's least-shard strategy (at most one shard per
/// round, <c>rebalance-absolute-limit = 1</c>) moves one of the two shards of node 1 to node 2. The moved entity
/// is stopped on node 1, its tokens end there, and its next message starts it on node 2 with fresh tokens.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RebalanceTests : ClusterSpec
{
    public RebalanceTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public async Task LateJoiningNode_TakesAShard_ItsEntityTokensEndBeforeItStartsOnTheNewNode()
    {
        const string A = "player-a";
        var b = Enumerable.Range(0, 100).Select(i => $"player-b{i}").First(id => Extractor.ShardOf(id) != Extractor.ShardOf(A));
        var strategy = ShardAllocationStrategy.LeastShardAllocationStrategy(absoluteLimit: 1, relativeLimit: 1.0);
        await JoinAsync();
        var region1 = await StartShardingAsync(Sys, strategy, TimeSpan.FromMinutes(5));

        // Alone, node 1 hosts both shards.
        var firstA = await PlayAsync(region1, A, 1);
        var firstB = await PlayAsync(region1, b, 1);
        Assert.Equal(NodeOf(Sys), firstA.Node);
        Assert.Equal(NodeOf(Sys), firstB.Node);

        // As an application node does: its region (and the replicator sharding keeps its state in) starts with
        // the node, then the node joins.
        Step("node 2 starts");
        var node2 = StartNode();
        await StartShardingAsync(node2, strategy, TimeSpan.FromMinutes(5));
        await JoinAsync(node2);
        Step("node 2 is up");

        // One of the two shards moves; which one is the strategy's choice.
        var stopped = await ExpectEventAsync<Stopped>(s => s.Incarnation == firstA.Incarnation || s.Incarnation == firstB.Incarnation);
        var (moved, player, stayed) = stopped.Incarnation == firstA.Incarnation ? (firstA, A, firstB) : (firstB, b, firstA);

        var next = await PlayUntilAnsweredAsync(region1, player, 2);
        Assert.Equal(NodeOf(node2), next.Node);
        Assert.NotEqual(moved.Incarnation, next.Incarnation);
        var started = Assert.Single(Journal.Of<Started>(next.Incarnation));
        AssertAllTokensEnded(moved.Incarnation, before: started);
        AssertFreshLiveTokens(next.Incarnation);

        // The other entity stayed where it was, with the same incarnation and live tokens.
        var same = await PlayAsync(region1, stayed.PlayerId, 2);
        Assert.Equal(NodeOf(Sys), same.Node);
        Assert.Equal(stayed.Incarnation, same.Incarnation);
        AssertFreshLiveTokens(stayed.Incarnation);
        Assert.Empty(Journal.Of<Stopped>(stayed.Incarnation));
    }
}
