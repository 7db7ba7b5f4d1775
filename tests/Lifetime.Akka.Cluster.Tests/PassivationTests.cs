using System;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// An idle entity passivates itself (its idle slot's token times out and it sends <c>Passivate</c> to its shard):
/// the stop ends every token of that incarnation, and the next message starts a new incarnation with fresh tokens.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PassivationTests : ClusterSpec
{
    private static readonly TimeSpan s_idleTimeout = TimeSpan.FromMilliseconds(400);

    public PassivationTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Theory]
    [InlineData(OwnerRoute.Extension)]
    [InlineData(OwnerRoute.BaseClass)]
    public async Task IdleTimeout_Passivates_EndsTheIncarnationsTokens_AndTheNextMessageStartsAFreshOne(OwnerRoute route)
    {
        var node2 = StartNode();
        await JoinAsync(node2);
        var strategy = new RequesterAllocationStrategy();
        await StartShardingAsync(Sys, strategy, s_idleTimeout, route);
        var region2 = await StartShardingAsync(node2, strategy, s_idleTimeout, route);

        // One turn, which leaves work running: the entity is idle from then on.
        var first = await PlayAsync(region2, "player-2", 1, hold: true);
        Assert.Equal(NodeOf(node2), first.Node);

        await ExpectEventAsync<Passivating>(p => p.Incarnation == first.Incarnation);
        await ExpectEventAsync<Stopped>(s => s.Incarnation == first.Incarnation);

        var next = await PlayAsync(region2, "player-2", 2);
        Assert.Equal(NodeOf(node2), next.Node);
        Assert.NotEqual(first.Incarnation, next.Incarnation);
        var started = Assert.Single(Journal.Of<Started>(next.Incarnation));
        AssertAllTokensEnded(first.Incarnation, before: started, idleCause: TokenEndCause.TimedOut);
        AssertFreshLiveTokens(next.Incarnation, mayHaveEndedSince: true); // it passivates in turn, maybe already
        await AssertHeldWorkDroppedAsync(first.Incarnation);

        // The new incarnation passivates in turn, and leaves nothing behind either.
        // Through the extension the owner ends just after PostStop (which records Stopped), so wait for it.
        await ExpectEventAsync<Stopped>(s => s.Incarnation == next.Incarnation);
        await AwaitAssertAsync(() => AssertAllTokensEnded(next.Incarnation, idleCause: TokenEndCause.TimedOut), Bound);
        await AwaitAssertAsync(() => CounterOf(node2).AssertBalanced(), Bound);
        Assert.Equal(0, CounterOf(Sys).Created);
    }
}
