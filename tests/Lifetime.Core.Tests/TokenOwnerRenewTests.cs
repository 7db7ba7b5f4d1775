using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

public sealed class TokenOwnerRenewTests
{
    [Theory]
    [MemberData(nameof(Variants.Renews), MemberType = typeof(Variants))]
    [Trait("Guarantee", "3")]
    public async Task Renew_First_ReturnsLiveCurrentToken(string variant)
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });

        var token = await Variants.Renew(owner, variant).Within();

        Assert.True(token.CanBeCanceled);
        Assert.False(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(token));
    }

    [Theory]
    [MemberData(nameof(VariantsAndPlacements))]
    [Trait("Guarantee", "3")]
    public async Task Renew_Second_PreviousTokenCancelledWhenRenewCompletes(string variant, CallbackPlacement placement)
    {
        var counter = new SourceCounter();
        var options = counter.Options(new ManualTimeProvider());
        options.CallbackPlacement = placement;
        await using var owner = new TokenOwner(options);
        var first = await Variants.Renew(owner, variant, counter).Within();

        var second = await Variants.Renew(owner, variant, counter).Within();

        Assert.True(first.IsCancellationRequested);
        Assert.False(owner.IsCurrent(first));
        Assert.NotEqual(first, second);
        Assert.False(second.IsCancellationRequested);
        Assert.True(owner.IsCurrent(second));
        Assert.Equal(counter.Created - 1, counter.Disposed);
    }

    [Theory]
    [MemberData(nameof(Variants.Renews), MemberType = typeof(Variants))]
    [Trait("Guarantee", "3")]
    public async Task Renew_OnSlot_PreviousTokenCancelledAndOtherSlotsUntouched(string variant)
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });
        var slot = owner.CreateSlot();
        var other = await owner.RenewAsync().Within();
        var first = await Variants.Renew(slot, variant).Within();

        var second = await Variants.Renew(slot, variant).Within();

        Assert.True(first.IsCancellationRequested);
        Assert.True(slot.IsCurrent(second));
        Assert.False(other.IsCancellationRequested);
        Assert.True(owner.IsCurrent(other));
        Assert.False(owner.IsCurrent(second));
        Assert.False(slot.IsCurrent(other));
    }

    [Fact]
    [Trait("Guarantee", "3")]
    public async Task RenewAsync_Many_NeverRecyclesATokenAndEveryOldOneStaysCancelled()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());
        var seen = new HashSet<CancellationToken>();
        var tokens = new List<CancellationToken>();

        for (var i = 0; i < 2_000; i++)
        {
            var token = await owner.RenewAsync().Within();
            Assert.True(seen.Add(token), "A token was handed out twice.");
            tokens.Add(token);
        }

        for (var i = 0; i < tokens.Count - 1; i++)
        {
            Assert.True(tokens[i].IsCancellationRequested);
            Assert.False(owner.IsCurrent(tokens[i]));
        }

        Assert.True(owner.IsCurrent(tokens[^1]));
        Assert.Equal(2_000, counter.Created);
        Assert.Equal(1_999, counter.Disposed);
    }

    [Fact]
    public async Task RenewAsync_IdleOwner_CompletesSynchronously()
    {
        await using var owner = new TokenOwner();

        var renew = owner.RenewAsync();

        Assert.True(renew.IsCompletedSuccessfully);
        Assert.True(owner.IsCurrent(await renew));
    }

    [Fact]
    [Trait("Guarantee", "2")]
    public async Task CancelAndDisposeAsync_LiveToken_EndsItAndOwnerStaysUsable()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());
        var token = await owner.RenewAsync().Within();

        await owner.CancelAndDisposeAsync().Within();

        Assert.True(token.IsCancellationRequested);
        Assert.False(owner.IsCurrent(token));
        counter.AssertBalanced();
        var next = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(next));
    }

    [Fact]
    [Trait("Guarantee", "2")]
    public async Task CancelAndDisposeAsync_Repeated_IsHarmless()
    {
        await using var owner = new TokenOwner();
        await owner.CancelAndDisposeAsync().Within();
        await owner.RenewAsync().Within();

        for (var i = 0; i < 3; i++)
        {
            await owner.CancelAndDisposeAsync().Within();
        }

        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
    }

    [Fact]
    [Trait("Guarantee", "2")]
    public async Task CancelAllAsync_EndsEverySlotsTokenAndOwnerStaysUsable()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options(new ManualTimeProvider()));
        var slots = new[] { owner.CreateSlot(), owner.CreateSlot(), owner.CreateSlot() };
        var tokens = new List<CancellationToken> { await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within() };
        foreach (var slot in slots)
        {
            tokens.Add(await slot.RenewAsync().Within());
        }

        await owner.CancelAllAsync().Within();

        Assert.All(tokens, t => Assert.True(t.IsCancellationRequested));
        counter.AssertBalanced();
        var again = await slots[1].RenewAsync().Within();
        Assert.True(slots[1].IsCurrent(again));
        Assert.True((await owner.RenewAsync().Within()).CanBeCanceled);
    }

    [Fact]
    [Trait("Guarantee", "3")]
    [Trait("Guarantee", "2")]
    public async Task RenewAsync_ConcurrentCallers_EachGetsADistinctTokenAndExactlyOneStaysLive()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());
        var results = new CancellationToken[8][];

        await Task.WhenAll(Enumerate(8, async caller =>
        {
            await Task.Yield();
            results[caller] = new CancellationToken[500];
            for (var i = 0; i < 500; i++)
            {
                results[caller][i] = await owner.RenewAsync();
            }
        })).Within();

        var live = 0;
        var seen = new HashSet<CancellationToken>();
        foreach (var tokens in results)
        {
            foreach (var token in tokens)
            {
                Assert.True(seen.Add(token));
                if (!token.IsCancellationRequested)
                {
                    live++;
                    Assert.True(owner.IsCurrent(token));
                }
            }
        }

        Assert.Equal(1, live);
        Assert.Equal(counter.Created - 1, counter.Disposed);
        await owner.DisposeAsync().Within();
        counter.AssertBalanced();
    }

    [Fact]
    public async Task Requests_TwoCallersOnOtherSlots_EveryReplyArrives()
    {
        // A caller can see its reply while the thread that completed it is still finishing the
        // completion; recycling the reply object at that moment lost or crossed later replies.
        await using var owner = new TokenOwner();
        var requests = owner.CreateSlot();
        var writes = owner.CreateSlot();
        var lifetime = await owner.RenewAfterAsync(TimeSpan.FromMinutes(5)).Within();
        await writes.RenewAsync().Within();

        var a = Task.Run(async () =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                await requests.RenewLinkedAsync(lifetime);
                Assert.True(await owner.TouchAsync(TimeSpan.FromMinutes(5)));
            }
        });
        var b = Task.Run(async () =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                Assert.True(await writes.TouchAsync(TimeSpan.FromSeconds(5)));
                Assert.True(await writes.TouchAsync(Timeout.InfiniteTimeSpan));
            }
        });

        await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(owner.IsCurrent(lifetime));
    }

    internal static Task[] Enumerate(int count, Func<int, Task> body)
    {
        var tasks = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var index = i;
            tasks[i] = Task.Run(() => body(index));
        }

        return tasks;
    }

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
}
