using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary>Guarantee 2: only the owner cancels or disposes owned sources, each exactly once, on every path.</summary>
public sealed class TokenOwnerSourceOwnershipTests
{
    [Fact]
    [Trait("Guarantee", "2")]
    public async Task RenewAsync_Path_PreviousSourceCancelledAndDisposedOnce()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        for (var i = 0; i < 5; i++)
        {
            await owner.RenewAsync().Within();
        }

        Assert.Equal(5, factory.Created);
        Assert.Equal(4, factory.Disposed);
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "2")]
    [Trait("Guarantee", "4")]
    public async Task RenewAfterAsync_TimeoutPath_SourceCancelledAndDisposedOnce()
    {
        var time = new ManualTimeProvider();
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options(time));
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(50)).Within();
        time.Advance(TimeSpan.FromMilliseconds(100));
        await Bounded.Cancelled(token);
        await Bounded.Until(() => factory.Disposed == 1, "the timed-out source is disposed");
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "2")]
    [Trait("Guarantee", "4")]
    public async Task RenewLinkedAsync_LinkPath_SourceCancelledAndDisposedOnce()
    {
        using var link = new CancellationTokenSource();
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var token = await owner.RenewLinkedAsync(link.Token).Within();
        link.Cancel();
        await Bounded.Cancelled(token);
        await Bounded.Until(() => factory.Disposed == 1, "the linked source is disposed");
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "2")]
    public async Task CancelAllAsync_Path_EverySlotSourceCancelledAndDisposedOnce()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var slots = Enumerable.Range(0, 4).Select(_ => owner.CreateSlot()).ToArray();
        await owner.RenewAsync().Within();
        foreach (var slot in slots)
        {
            await slot.RenewAsync().Within();
        }

        await owner.CancelAllAsync().Within();
        Assert.Equal(5, factory.Disposed);
        factory.AssertAllEndedExactlyOnce();
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "2")]
    [Trait("Guarantee", "7")]
    public async Task DisposeAsync_Path_EverySourceCancelledAndDisposedOnce()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options(new ManualTimeProvider()));
        using var link = new CancellationTokenSource();
        await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within();
        await owner.CreateSlot().RenewLinkedAsync(link.Token).Within();
        await owner.CreateSlot().RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), link.Token).Within();
        await owner.CreateSlot().RenewOwnedAsync(factory.CreateForCaller()).Within();
        await owner.DisposeAsync().Within();
        Assert.Equal(4, factory.Created);
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "2")]
    [Trait("Guarantee", "7")]
    public async Task OuterToken_Path_EverySourceCancelledAndDisposedOnce()
    {
        using var outer = new CancellationTokenSource();
        var factory = new TrackingFactory();
        var options = factory.Options();
        options.OuterToken = outer.Token;
        var owner = new TokenOwner(options);
        await owner.RenewAsync().Within();
        await owner.CreateSlot().RenewAsync().Within();
        outer.Cancel();
        await owner.Completion.Within();
        Assert.Equal(2, factory.Created);
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "2")]
    public async Task RenewOwnedAsync_HandedSource_CancelledAndDisposedOnceByOwner()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var mine = factory.CreateForCaller();
        var token = await owner.RenewOwnedAsync(mine).Within();
        Assert.Equal(mine.Token, token);
        Assert.Equal(0, mine.DisposeCalls);
        await owner.RenewAsync().Within();
        Assert.Equal(1, mine.DisposeCalls);
        Assert.Equal(1, mine.CancelledBeforeDispose);
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "2")]
    [Trait("Guarantee", "7")]
    public async Task SlotDisposeAsync_RetiredSlot_SourceCancelledAndDisposedOnce()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var slot = owner.CreateSlot();
        await slot.RenewAsync().Within();
        await slot.DisposeAsync().Within();
        Assert.Equal(1, factory.Disposed);
        await slot.DisposeAsync().Within();
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "2")]
    public async Task AllPaths_Combined_OnlyOneDisposalPerSource()
    {
        var time = new ManualTimeProvider();
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options(time));
        using var link = new CancellationTokenSource();
        var timed = owner.CreateSlot();
        var linked = owner.CreateSlot();
        await timed.RenewAfterAsync(TimeSpan.FromMilliseconds(20)).Within();
        var linkedToken = await linked.RenewLinkedAsync(link.Token).Within();
        await owner.RenewAsync().Within();
        time.Advance(TimeSpan.FromMilliseconds(50));
        link.Cancel();
        await Bounded.Cancelled(linkedToken);
        await owner.CancelAllAsync().Within();
        await owner.CancelAndDisposeAsync().Within();
        await timed.CancelAndDisposeAsync().Within();
        await owner.DisposeAsync().Within();
        owner.Dispose();
        await Bounded.Until(() => factory.Disposed == factory.Created, "every source is disposed");
        factory.AssertAllEndedExactlyOnce();
    }
}
