using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

public sealed class TokenOwnerValidationTests
{
    public static TheoryData<TimeSpan> BadTimeouts() => new()
    {
        TimeSpan.FromTicks(-1),
        TimeSpan.FromMilliseconds(-2),
        TimeSpan.FromDays(-1),
        TimeSpan.MinValue,
        TimeSpan.FromMilliseconds(uint.MaxValue),
        TimeSpan.FromDays(50),
        TimeSpan.MaxValue,
    };

    public static TheoryData<TimeSpan> GoodTimeouts() => new()
    {
        TimeSpan.Zero,
        Timeout.InfiniteTimeSpan,
        TimeSpan.FromTicks(1),
        TimeSpan.FromMilliseconds(uint.MaxValue - 1.0),
    };

    [Theory]
    [MemberData(nameof(GoodTimeouts))]
    [Trait("Guarantee", "8")]
    public async Task RenewAfterAsync_InRange_Accepted(TimeSpan timeout)
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });

        var token = await owner.RenewAfterAsync(timeout).Within();

        Assert.Equal(timeout == TimeSpan.Zero, token.IsCancellationRequested);
    }

    [Fact]
    [Trait("Guarantee", "8")]
    public async Task RenewOwnedAsync_SourceOwnedEarlierAndAlreadyRetired_StillRefused()
    {
        await using var owner = new TokenOwner();
        var source = new CancellationTokenSource();
        await owner.RenewOwnedAsync(source).Within();
        await owner.RenewAsync().Within();

        Assert.Throws<InvalidOperationException>(() => { _ = owner.RenewOwnedAsync(source); });
    }

    [Fact]
    [Trait("Guarantee", "2")]
    [Trait("Guarantee", "3")]
    public async Task RenewOwnedAsync_AlreadyCancelledSource_BornEndedAndDisposed()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());
        var source = counter.CreateForCaller();
        source.Cancel();

        var token = await owner.RenewOwnedAsync(source).Within();

        Assert.True(token.IsCancellationRequested);
        Assert.False(owner.IsCurrent(token));
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        Assert.Equal(1, source.DisposeCalls);
        await owner.DisposeAsync().Within();
        Assert.Equal(1, source.DisposeCalls);
        counter.AssertBalanced();
    }

    [Fact]
    [Trait("Guarantee", "8")]
    [Trait("Guarantee", "5")]
    public async Task Constructor_ContextPlacementWithoutContext_ThrowsInvalidOperation()
    {
        await Task.Run(() =>
        {
            SynchronizationContext.SetSynchronizationContext(null);
            Assert.Throws<InvalidOperationException>(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext }));
        }).Within();
    }

    public static TheoryData<long> BadTimeoutTicks() => new()
    {
        -1,
        TimeSpan.FromMilliseconds(-2).Ticks,
        TimeSpan.FromMilliseconds(-1).Ticks - 1,
        TimeSpan.FromMilliseconds(-1).Ticks + 1,
        TimeSpan.FromSeconds(-1).Ticks,
        TimeSpan.MinValue.Ticks,
        TimeSpan.FromMilliseconds(4294967295).Ticks,
        TimeSpan.FromMilliseconds(4294967294).Ticks + 1,
        TimeSpan.FromDays(60).Ticks,
        TimeSpan.MaxValue.Ticks,
    };

    private static async Task<(TokenOwner Owner, TokenSlot Slot, CancellationToken Main, CancellationToken Other)> LiveOwnerAsync(TrackingFactory factory)
    {
        var owner = new TokenOwner(factory.Options(new ManualTimeProvider()));
        var slot = owner.CreateSlot();
        var main = await owner.RenewAsync().Within();
        var other = await slot.RenewAsync().Within();
        return (owner, slot, main, other);
    }

    private static async Task AssertNothingChangedAsync(TrackingFactory factory, TokenOwner owner, TokenSlot slot, CancellationToken main, CancellationToken other)
    {
        // Anything queued would be processed before this message.
        await owner.CancelAllAsync().Within();
        Assert.True(main.IsCancellationRequested);
        Assert.True(other.IsCancellationRequested);
        Assert.Equal(2, factory.Created);
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        Assert.False(await slot.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Theory]
    [MemberData(nameof(BadTimeoutTicks))]
    [Trait("Guarantee", "8")]
    public async Task RenewAfterAsync_BadTimeout_ThrowsArgumentOutOfRangeAtCallSiteNothingQueued(long ticks)
    {
        var factory = new TrackingFactory();
        var (owner, slot, main, other) = await LiveOwnerAsync(factory);
        var timeout = TimeSpan.FromTicks(ticks);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = owner.RenewAfterAsync(timeout); }).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = slot.RenewAfterAsync(timeout); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = owner.RenewLinkedAfterAsync(timeout, Variants.LongLived.Token); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = slot.RenewLinkedAfterAsync(timeout, Variants.LongLived.Token); });
        Assert.True(owner.IsCurrent(main));
        Assert.True(slot.IsCurrent(other));
        await AssertNothingChangedAsync(factory, owner, slot, main, other);
    }

    [Theory]
    [MemberData(nameof(BadTimeoutTicks))]
    [Trait("Guarantee", "8")]
    public async Task TouchAsync_BadTimeout_ThrowsArgumentOutOfRangeAtCallSite(long ticks)
    {
        var factory = new TrackingFactory();
        var (owner, slot, main, other) = await LiveOwnerAsync(factory);
        var timeout = TimeSpan.FromTicks(ticks);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = owner.TouchAsync(timeout); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = slot.TouchAsync(timeout); });
        Assert.True(owner.IsCurrent(main));
        await AssertNothingChangedAsync(factory, owner, slot, main, other);
    }

    [Fact]
    [Trait("Guarantee", "8")]
    public async Task RenewAfterAsync_BadTimeoutAfterDispose_StillArgumentOutOfRange()
    {
        var owner = new TokenOwner();
        await owner.DisposeAsync().Within();
        var thrown = Record.Exception(() => { _ = owner.RenewAfterAsync(TimeSpan.FromMilliseconds(-5)); });
        Assert.True(thrown is ArgumentOutOfRangeException or ObjectDisposedException, $"unexpected {thrown}");
    }

    [Fact]
    [Trait("Guarantee", "8")]
    [Trait("Guarantee", "4")]
    public async Task RenewAfterAsync_InfiniteTimeSpan_AcceptedNoDeadline()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(Timeout.InfiniteTimeSpan).Within();
        var linked = await owner.CreateSlot().RenewLinkedAfterAsync(Timeout.InfiniteTimeSpan, Variants.LongLived.Token).Within();
        Assert.Equal(0, time.ArmedTimers);
        time.Advance(TimeSpan.FromDays(50));
        Assert.False(token.IsCancellationRequested);
        Assert.False(linked.IsCancellationRequested);
    }

    [Fact]
    [Trait("Guarantee", "8")]
    public async Task RenewLinkedAfterAsync_Zero_TokenBornCancelled()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });
        var slot = owner.CreateSlot();
        var token = await slot.RenewLinkedAfterAsync(TimeSpan.Zero, Variants.LongLived.Token).Within();
        Assert.True(token.IsCancellationRequested);
        var owned = await owner.RenewLinkedAfterAsync(TimeSpan.Zero, Variants.LongLived.Token).Within();
        Assert.True(owned.IsCancellationRequested);
    }

    [Fact]
    [Trait("Guarantee", "8")]
    public async Task RenewLinkedAsync_NullArray_ThrowsArgumentNullAtCallSiteNothingQueued()
    {
        var factory = new TrackingFactory();
        var (owner, slot, main, other) = await LiveOwnerAsync(factory);
        Assert.Equal("links", Assert.Throws<ArgumentNullException>(() => { _ = owner.RenewLinkedAsync(null!); }).ParamName);
        Assert.Throws<ArgumentNullException>(() => { _ = slot.RenewLinkedAsync(null!); });
        Assert.Equal("links", Assert.Throws<ArgumentNullException>(() => { _ = owner.RenewLinkedAfterAsync(TimeSpan.FromSeconds(1), null!); }).ParamName);
        Assert.Throws<ArgumentNullException>(() => { _ = slot.RenewLinkedAfterAsync(TimeSpan.FromSeconds(1), null!); });
        Assert.True(owner.IsCurrent(main));
        await AssertNothingChangedAsync(factory, owner, slot, main, other);
    }

    [Fact]
    [Trait("Guarantee", "8")]
    public async Task RenewLinkedAsync_EmptyArray_IsAPlainRenew()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var slot = owner.CreateSlot();

        var before = await owner.RenewAsync().Within();
        var plain = await owner.RenewLinkedAsync().Within();
        Assert.True(before.IsCancellationRequested);
        Assert.True(owner.IsCurrent(plain));
        Assert.Null(owner.DefaultSlotForTests.FirstLink);

        var timed = await slot.RenewLinkedAfterAsync(TimeSpan.FromSeconds(1), []).Within();
        var alsoTimed = await owner.RenewLinkedAfterAsync(TimeSpan.FromSeconds(1), Array.Empty<CancellationToken>()).Within();
        Assert.True(plain.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(timed.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(200));
        await Bounded.Cancelled(timed);
        await Bounded.Cancelled(alsoTimed);
    }

    [Fact]
    [Trait("Guarantee", "8")]
    public async Task RenewOwnedAsync_Null_ThrowsArgumentNullAtCallSiteNothingQueued()
    {
        var factory = new TrackingFactory();
        var (owner, slot, main, other) = await LiveOwnerAsync(factory);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => { _ = owner.RenewOwnedAsync(null!); }).ParamName);
        Assert.Throws<ArgumentNullException>(() => { _ = slot.RenewOwnedAsync(null!); });
        Assert.True(owner.IsCurrent(main));
        await AssertNothingChangedAsync(factory, owner, slot, main, other);
    }

    [Fact]
    [Trait("Guarantee", "8")]
    public async Task RenewOwnedAsync_SourceOwnedBySameOwner_ThrowsInvalidOperationAtCallSite()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var source = factory.CreateForCaller();
        var token = await owner.RenewOwnedAsync(source).Within();
        Assert.Throws<InvalidOperationException>(() => { _ = owner.RenewOwnedAsync(source); });
        var slot = owner.CreateSlot();
        Assert.Throws<InvalidOperationException>(() => { _ = slot.RenewOwnedAsync(source); });
        await owner.CancelAllAsync().Within();
        Assert.True(token.IsCancellationRequested);
        Assert.False(await slot.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "8")]
    [Trait("Guarantee", "2")]
    public async Task RenewOwnedAsync_SourceOwnedByAnotherOwner_ThrowsInvalidOperationAndFirstOwnerKeepsIt()
    {
        await using var first = new TokenOwner();
        await using var second = new TokenOwner();
        var source = new TrackedSource();
        var token = await first.RenewOwnedAsync(source).Within();
        var previous = await second.RenewAsync().Within();
        Assert.Throws<InvalidOperationException>(() => { _ = second.RenewOwnedAsync(source); });
        Assert.Throws<InvalidOperationException>(() => { _ = second.CreateSlot().RenewOwnedAsync(source); });
        Assert.True(first.IsCurrent(token));
        Assert.False(token.IsCancellationRequested);
        Assert.True(second.IsCurrent(previous));
        Assert.Equal(0, source.DisposeCalls);
    }

    [Fact]
    [Trait("Guarantee", "8")]
    public async Task RenewOwnedAsync_AlreadyDisposedSource_ThrowsObjectDisposedNothingQueued()
    {
        var factory = new TrackingFactory();
        var (owner, slot, main, other) = await LiveOwnerAsync(factory);
        var source = new CancellationTokenSource();
        source.Dispose();
        Assert.Throws<ObjectDisposedException>(() => { _ = owner.RenewOwnedAsync(source); });
        Assert.True(owner.IsCurrent(main));
        await AssertNothingChangedAsync(factory, owner, slot, main, other);
    }

    [Fact]
    [Trait("Guarantee", "8")]
    [Trait("Guarantee", "2")]
    public async Task RenewOwnedAsync_InvalidOperationRefusal_SourceCanBeHandedNowhereElseButStaysUsable()
    {
        await using var owner = new TokenOwner();
        var source = new TrackedSource();
        await owner.RenewOwnedAsync(source).Within();
        Assert.Throws<InvalidOperationException>(() => { _ = owner.CreateSlot().RenewOwnedAsync(source); });
        Assert.False(source.IsCancellationRequested);
        await owner.DisposeAsync().Within();
        Assert.Equal(1, source.DisposeCalls);
    }
}
