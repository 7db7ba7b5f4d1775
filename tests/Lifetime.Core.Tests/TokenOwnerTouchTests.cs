using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary>TouchAsync: set the live token's deadline to now + timeout in place; false without a live token.</summary>
public sealed class TokenOwnerTouchTests
{

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Guarantee", "4")]
    public async Task Touch_LaterWhileProcessingPathBusy_AnsweredInPlaceAndDeadlineMoved(bool synchronous)
    {
        // A touch that moves a deadline later needs no message: it is answered while the processing path
        // is held in another slot's callback, and the deadline it wrote is the one the wheel keeps.
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var other = owner.CreateSlot();
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(100)).Within();
        var busy = await other.RenewAsync().Within();
        using var hold = PathHold.On(busy);
        var holder = Task.Run(() => other.CancelAndDisposeAsync().AsTask());
        await hold.Entered;

        time.Advance(TimeSpan.FromMilliseconds(80));
        var touch = synchronous ? Task.Run(() => owner.Touch(TimeSpan.FromMilliseconds(100))) : owner.TouchAsync(TimeSpan.FromMilliseconds(100)).AsTask();
        // Half the hold's own limit: a touch that waited for the path would time out here.
        Assert.True(await touch.WaitAsync(Bounded.Limit / 2));
        Assert.False(holder.IsCompleted);
        hold.Release();
        await holder.Within();

        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(token.IsCancellationRequested);
        var moved = time.AdvanceUntilCancelled(token, TimeSpan.FromSeconds(1));
        Assert.InRange(moved.TotalMilliseconds, 1, 11);
        Assert.Equal(TokenEndCause.TimedOut, owner.GetEndCause(token));
    }

    [Fact]
    [Trait("Guarantee", "5")]
    public async Task TouchAsync_FromCallbackOfRenewedToken_TouchesTheNewToken()
    {
        // Re-entry: a touch from a callback on the processing path is a message behind the renew that
        // runs the callback, so it touches the token that renew installs, not the one it replaces.
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var first = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(100)).Within();
        Task<bool>? touched = null;
        first.Register(() => touched = owner.TouchAsync(TimeSpan.FromMilliseconds(500)).AsTask());

        var second = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(100)).Within();
        Assert.NotNull(touched);
        Assert.True(await touched!.Within());
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.False(second.IsCancellationRequested);
        var moved = time.AdvanceUntilCancelled(second, TimeSpan.FromSeconds(1));
        Assert.InRange(moved.TotalMilliseconds, 200, 211);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_Later_DeadlineMovedLaterSameToken()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(100)).Within();
        time.Advance(TimeSpan.FromMilliseconds(80));
        Assert.True(await owner.TouchAsync(TimeSpan.FromMilliseconds(100)).Within());
        Assert.True(owner.IsCurrent(token));
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(token.IsCancellationRequested);
        var moved = time.AdvanceUntilCancelled(token, TimeSpan.FromSeconds(1));
        Assert.InRange(moved.TotalMilliseconds, 1, 11);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_Earlier_DeadlineShortened()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMinutes(10)).Within();
        time.Advance(TimeSpan.FromMilliseconds(7));
        Assert.True(await owner.TouchAsync(TimeSpan.FromMilliseconds(50)).Within());
        var moved = time.AdvanceUntilCancelled(token, TimeSpan.FromSeconds(1));
        Assert.True(token.IsCancellationRequested);
        Assert.InRange(moved.TotalMilliseconds, 50, 60);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_TokenWithoutDeadline_GetsOne()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAsync().Within();
        Assert.True(await owner.TouchAsync(TimeSpan.FromMilliseconds(30)).Within());
        var moved = time.AdvanceUntilCancelled(token, TimeSpan.FromSeconds(1));
        Assert.InRange(moved.TotalMilliseconds, 30, 40);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_LinkedToken_GetsDeadlineAndKeepsLink()
    {
        var time = new ManualTimeProvider();
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewLinkedAsync(link.Token).Within();
        Assert.True(await owner.TouchAsync(TimeSpan.FromMinutes(1)).Within());
        link.Cancel();
        await Bounded.Cancelled(token);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "2")]
    public async Task TouchAsync_Zero_EndsTokenNowAndReturnsTrue()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options(new ManualTimeProvider()));
        var token = await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within();
        Assert.True(await owner.TouchAsync(TimeSpan.Zero).Within());
        Assert.True(token.IsCancellationRequested);
        counter.AssertBalanced();
        Assert.False(owner.IsCurrent(token));
        Assert.False(await owner.TouchAsync(TimeSpan.FromMinutes(1)).Within());
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_Infinite_RemovesDeadline()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(50)).Within();
        Assert.True(await owner.TouchAsync(Timeout.InfiniteTimeSpan).Within());
        Assert.Equal(0, time.ArmedTimers);
        time.Advance(TimeSpan.FromDays(1));
        Assert.False(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(token));
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_NeverRenewed_FalseAndNothingChanges()
    {
        var factory = new TrackingFactory();
        await using var owner = new TokenOwner(factory.Options(new ManualTimeProvider()));
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        Assert.False(await owner.CreateSlot().TouchAsync(TimeSpan.FromSeconds(1)).Within());
        Assert.Equal(0, factory.Created);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_AfterCancelAndDispose_FalseAndNothingArmed()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAsync().Within();
        await owner.CancelAndDisposeAsync().Within();
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(0, time.ArmedTimers);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_AfterTimeout_False()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(10)).Within();
        time.Advance(TimeSpan.FromMilliseconds(30));
        await Bounded.Cancelled(token);
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_AfterLinkFired_False()
    {
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });
        var token = await owner.RenewLinkedAsync(link.Token).Within();
        link.Cancel();
        await Bounded.Cancelled(token);
        await owner.CancelAllAsync().Within();
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_AfterCancelAll_False()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });
        var slot = owner.CreateSlot();
        await slot.RenewAsync().Within();
        await owner.CancelAllAsync().Within();
        Assert.False(await slot.TouchAsync(TimeSpan.FromSeconds(1)).Within());
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_BornCancelledToken_False()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });
        await owner.RenewLinkedAsync(new CancellationToken(true)).Within();
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
    }

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "7")]
    public async Task TouchAsync_RetiredSlotOrDisposedOwner_False()
    {
        var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });
        var slot = owner.CreateSlot();
        await slot.RenewAsync().Within();
        await slot.DisposeAsync().Within();
        Assert.False(await slot.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        await owner.RenewAsync().Within();
        await owner.DisposeAsync().Within();
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        Assert.False(await owner.TouchAsync(TimeSpan.Zero).Within());
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_OneSlot_OtherSlotDeadlineUnchanged()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var a = owner.CreateSlot();
        var b = owner.CreateSlot();
        var tokenA = await a.RenewAfterAsync(TimeSpan.FromMilliseconds(50)).Within();
        var tokenB = await b.RenewAfterAsync(TimeSpan.FromMilliseconds(50)).Within();
        Assert.True(await a.TouchAsync(TimeSpan.FromSeconds(10)).Within());
        time.Advance(TimeSpan.FromMilliseconds(70));
        Assert.True(tokenB.IsCancellationRequested);
        Assert.False(tokenA.IsCancellationRequested);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_Heartbeats_KeepTokenAliveIndefinitely()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(30)).Within();
        for (var i = 0; i < 100; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            Assert.True(await owner.TouchAsync(TimeSpan.FromMilliseconds(30)).Within());
        }

        Assert.False(token.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(45));
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "5")]
    public async Task TouchAsync_FromCallbackOfOwnToken_NoDeadlock()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });
        var token = await owner.RenewAsync().Within();
        Task<bool>? touched = null;
        token.Register(() => touched = owner.TouchAsync(TimeSpan.FromSeconds(1)).AsTask());
        var next = await owner.RenewAsync().Within();
        Assert.NotNull(touched);
        Assert.True(await touched.Within());
        Assert.True(owner.IsCurrent(next));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1_000)]
    [InlineData(10_000)]
    [InlineData(95_000)]
    [Trait("Guarantee", "4")]
    public async Task TouchAsync_TinyTimeoutsAtOddPhase_NeverEarly(long ticks)
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within();
        time.Advance(TimeSpan.FromTicks(93_000));
        Assert.True(await owner.TouchAsync(TimeSpan.FromTicks(ticks)).Within());
        Assert.False(token.IsCancellationRequested);
        var moved = 0L;
        while (!token.IsCancellationRequested && moved < TimeSpan.TicksPerSecond)
        {
            time.Advance(TimeSpan.FromTicks(500));
            moved += 500;
        }

        Assert.InRange(moved, ticks, ticks + TimeSpan.TicksPerMillisecond * 10 + 500);
    }
}
