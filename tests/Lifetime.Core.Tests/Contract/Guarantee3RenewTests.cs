using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Contract;

/// <summary>Guarantee 3: a completed renew has ended the previous token; the new one is live; tokens are never recycled.</summary>
public sealed class Guarantee3RenewTests
{
    public static IEnumerable<object[]> VariantsAndPlacements()
    {
        foreach (var variant in Variants.Renews())
        {
            foreach (var placement in new[] { CallbackPlacement.Inline, CallbackPlacement.ThreadPool })
            {
                yield return [variant[0], placement];
            }
        }
    }

    [Theory]
    [MemberData(nameof(VariantsAndPlacements))]
    public async Task Renew_EveryVariant_PreviousCancelledAndNewLive(string variant, CallbackPlacement placement)
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = placement });
        var previous = await owner.RenewAsync().Within();
        var next = await Variants.Renew(owner, variant).Within();
        Assert.True(previous.IsCancellationRequested);
        Assert.False(next.IsCancellationRequested);
        Assert.True(next.CanBeCanceled);
        Assert.NotEqual(previous, next);
        Assert.True(owner.IsCurrent(next));
        Assert.False(owner.IsCurrent(previous));
    }

    [Theory]
    [MemberData(nameof(Variants.Renews), MemberType = typeof(Variants))]
    public async Task Renew_EveryVariantOnSlot_PreviousCancelledAndNewLive(string variant)
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var previous = await Variants.Renew(slot, variant).Within();
        var next = await Variants.Renew(slot, variant).Within();
        Assert.True(previous.IsCancellationRequested);
        Assert.False(next.IsCancellationRequested);
        Assert.True(slot.IsCurrent(next));
    }

    [Fact]
    public async Task RenewAsync_PreviousTokenCallback_HasRunWhenRenewCompletes()
    {
        await using var owner = new TokenOwner();
        var previous = await owner.RenewAsync().Within();
        var ran = false;
        previous.Register(() => ran = true);
        await owner.RenewAsync().Within();
        Assert.True(ran);
    }

    [Fact]
    public async Task RenewAsync_OneSlot_OtherSlotsUntouched()
    {
        await using var owner = new TokenOwner();
        var a = owner.CreateSlot();
        var b = owner.CreateSlot();
        var main = await owner.RenewAsync().Within();
        var tokenA = await a.RenewAsync().Within();
        var tokenB = await b.RenewAsync().Within();
        await a.RenewAsync().Within();
        Assert.True(tokenA.IsCancellationRequested);
        Assert.False(tokenB.IsCancellationRequested);
        Assert.False(main.IsCancellationRequested);
        Assert.True(b.IsCurrent(tokenB));
        Assert.True(owner.IsCurrent(main));
    }

    [Fact]
    public async Task RenewAsync_ManyRenews_TokensNeverRecycled()
    {
        var factory = new TrackingFactory();
        await using var owner = new TokenOwner(factory.Options());
        var handed = new List<CancellationToken>();
        for (var i = 0; i < 200; i++)
        {
            var token = await owner.RenewAsync().Within();
            foreach (var old in handed)
            {
                Assert.NotEqual(old, token);
            }

            handed.Add(token);
        }

        for (var i = 0; i < handed.Count - 1; i++)
        {
            Assert.True(handed[i].IsCancellationRequested, $"token {i} was resurrected");
            Assert.False(owner.IsCurrent(handed[i]));
        }

        Assert.Equal(200, new HashSet<CancellationTokenSource>(factory.Sources).Count);
    }

    [Fact]
    public async Task RenewAsync_AfterCancelAndDispose_NewTokenLive()
    {
        await using var owner = new TokenOwner();
        var first = await owner.RenewAsync().Within();
        await owner.CancelAndDisposeAsync().Within();
        Assert.True(first.IsCancellationRequested);
        var second = await owner.RenewAsync().Within();
        Assert.False(second.IsCancellationRequested);
        Assert.True(owner.IsCurrent(second));
    }

    [Fact]
    public async Task RenewLinkedAsync_LinkAlreadyCancelled_BornCancelled()
    {
        await using var owner = new TokenOwner();
        var previous = await owner.RenewAsync().Within();
        var token = await owner.RenewLinkedAsync(new CancellationToken(true)).Within();
        Assert.True(previous.IsCancellationRequested);
        Assert.True(token.IsCancellationRequested);
        Assert.False(owner.IsCurrent(token));
    }

    [Fact]
    public async Task RenewLinkedAfterAsync_OneOfSeveralLinksCancelled_BornCancelled()
    {
        await using var owner = new TokenOwner();
        using var live = new CancellationTokenSource();
        var token = await owner.RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), live.Token, new CancellationToken(true)).Within();
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public async Task RenewLinkedAsync_NonCancelableLink_Ignored()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewLinkedAsync(CancellationToken.None).Within();
        Assert.False(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(token));
    }

    [Fact]
    public async Task RenewLinkedAsync_ArrayChangedAfterCall_NoEffect()
    {
        await using var owner = new TokenOwner();
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        var links = new[] { a.Token };
        var token = await owner.RenewLinkedAsync(links).Within();
        links[0] = b.Token;
        b.Cancel();
        Assert.False(token.IsCancellationRequested);
        a.Cancel();
        await Bounded.Cancelled(token);
    }

    [Fact]
    public async Task RenewLinkedAsync_AnyOfSeveralLinksCancelled_TokenCancelled()
    {
        await using var owner = new TokenOwner();
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        using var c = new CancellationTokenSource();
        var token = await owner.RenewLinkedAsync(a.Token, b.Token, c.Token).Within();
        b.Cancel();
        await Bounded.Cancelled(token);
        Assert.False(owner.IsCurrent(token));
    }

    [Fact]
    public async Task RenewLinkedAsync_LinkCancelledAfterTokenRenewed_NewTokenUnaffected()
    {
        await using var owner = new TokenOwner();
        using var link = new CancellationTokenSource();
        var linked = await owner.RenewLinkedAsync(link.Token).Within();
        var next = await owner.RenewAsync().Within();
        Assert.True(linked.IsCancellationRequested);
        link.Cancel();
        Assert.False(next.IsCancellationRequested);
        Assert.True(owner.IsCurrent(next));
    }

    [Fact]
    public async Task RenewAsync_ConcurrentCallers_ExactlyOneLiveTokenAtTheEnd()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var tokens = new System.Collections.Concurrent.ConcurrentBag<CancellationToken>();
        var workers = new Task[4];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                for (var i = 0; i < 500; i++)
                {
                    tokens.Add(await owner.RenewAsync());
                }
            });
        }

        await Task.WhenAll(workers).Within();
        var live = 0;
        foreach (var token in tokens)
        {
            if (!token.IsCancellationRequested)
            {
                live++;
                Assert.True(owner.IsCurrent(token));
            }
        }

        Assert.Equal(1, live);
        Assert.Equal(2000, factory.Created);
        Assert.Equal(1999, factory.Disposed);
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }
}
