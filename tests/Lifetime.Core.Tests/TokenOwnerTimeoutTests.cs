using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

public sealed class TokenOwnerTimeoutTests
{
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(10);
    private readonly ManualTimeProvider _time = new();

    private TokenOwner CreateOwner(SourceCounter? counter = null) =>
        new(counter?.Options(_time) ?? new TokenOwnerOptions { TimeProvider = _time });

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(100)]
    [InlineData(1_234)]
    [InlineData(60_000)]
    public async Task RenewAfterAsync_Deadline_NeverEarlyAndAtMostOneTickLate(int milliseconds)
    {
        await using var owner = CreateOwner();
        var timeout = TimeSpan.FromMilliseconds(milliseconds);
        var start = _time.GetTimestamp();
        var token = await owner.RenewAfterAsync(timeout).Within();
        long? firedAt = null;
        token.Register(() => firedAt = _time.GetTimestamp());

        var step = TimeSpan.FromMilliseconds(1);
        var elapsed = TimeSpan.Zero;
        while (firedAt is null && elapsed < timeout + s_tick + s_tick)
        {
            _time.Advance(step);
            elapsed += step;
        }

        Assert.NotNull(firedAt);
        var late = TimeSpan.FromTicks(firedAt!.Value - start) - timeout;
        Assert.True(late >= TimeSpan.Zero, $"Fired {-late.TotalMilliseconds} ms early.");
        Assert.True(late <= s_tick, $"Fired {late.TotalMilliseconds} ms late.");
        Assert.False(owner.IsCurrent(token));
    }

    [Fact]
    public async Task RenewAfterAsync_JustBeforeDeadline_StaysLive()
    {
        await using var owner = CreateOwner();
        var token = await owner.RenewAfterAsync(TimeSpan.FromSeconds(5)).Within();

        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));

        Assert.False(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(token));
        _time.Advance(s_tick + s_tick);
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public async Task RenewAfterAsync_Zero_TokenBornCancelledAndPreviousEnded()
    {
        var counter = new SourceCounter();
        await using var owner = CreateOwner(counter);
        var previous = await owner.RenewAsync().Within();

        var token = await owner.RenewAfterAsync(TimeSpan.Zero).Within();

        Assert.True(token.IsCancellationRequested);
        Assert.True(previous.IsCancellationRequested);
        Assert.False(owner.IsCurrent(token));
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        counter.AssertBalanced();
    }

    [Fact]
    public async Task RenewAfterAsync_Infinite_HasNoDeadline()
    {
        await using var owner = CreateOwner();

        var token = await owner.RenewAfterAsync(Timeout.InfiniteTimeSpan).Within();
        _time.Advance(TimeSpan.FromDays(30));

        Assert.False(token.IsCancellationRequested);
        Assert.Equal(0, _time.ArmedTimers);
    }

    [Fact]
    public async Task RenewAfterAsync_RenewedBeforeDeadline_OldDeadlineNeverEndsNewToken()
    {
        await using var owner = CreateOwner();
        await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(50)).Within();
        var token = await owner.RenewAsync().Within();

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(token.IsCancellationRequested);
        Assert.Equal(0, _time.ArmedTimers);
    }

    [Fact]
    public async Task TouchAsync_BeforeDeadline_MovesItLater()
    {
        await using var owner = CreateOwner();
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(100)).Within();

        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(60));
            Assert.True(await owner.TouchAsync(TimeSpan.FromMilliseconds(100)).Within());
        }

        Assert.False(token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(token.IsCancellationRequested);
        _time.Advance(s_tick + s_tick);
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public async Task TouchAsync_ShorterTimeout_MovesDeadlineEarlier()
    {
        await using var owner = CreateOwner();
        var token = await owner.RenewAfterAsync(TimeSpan.FromMinutes(30)).Within();

        Assert.True(await owner.TouchAsync(TimeSpan.FromMilliseconds(20)).Within());
        _time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.False(token.IsCancellationRequested);
        _time.Advance(s_tick + s_tick);

        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public async Task TouchAsync_TokenWithoutDeadline_GetsOne()
    {
        await using var owner = CreateOwner();
        var token = await owner.RenewAsync().Within();

        Assert.True(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        _time.Advance(TimeSpan.FromSeconds(1) + s_tick);

        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public async Task TouchAsync_Infinite_RemovesDeadline()
    {
        await using var owner = CreateOwner();
        var token = await owner.RenewAfterAsync(TimeSpan.FromSeconds(1)).Within();

        Assert.True(await owner.TouchAsync(Timeout.InfiniteTimeSpan).Within());
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.False(token.IsCancellationRequested);
        Assert.Equal(0, _time.ArmedTimers);
    }

    [Fact]
    public async Task TouchAsync_Zero_EndsTokenNow()
    {
        var counter = new SourceCounter();
        await using var owner = CreateOwner(counter);
        var token = await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within();

        Assert.True(await owner.TouchAsync(TimeSpan.Zero).Within());

        Assert.True(token.IsCancellationRequested);
        counter.AssertBalanced();
    }

    [Fact]
    public async Task TouchAsync_NoLiveToken_FalseAndNothingArmed()
    {
        await using var owner = CreateOwner();
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());

        var token = await owner.RenewAsync().Within();
        await owner.CancelAndDisposeAsync().Within();

        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        Assert.Equal(0, _time.ArmedTimers);
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public async Task Deadlines_AllEnded_WheelTimerDisarmed()
    {
        await using var owner = CreateOwner();
        var slots = new List<TokenSlot>();
        for (var i = 0; i < 50; i++)
        {
            var slot = owner.CreateSlot();
            slots.Add(slot);
            await slot.RenewAfterAsync(TimeSpan.FromMinutes(30)).Within();
        }

        Assert.Equal(1, _time.ArmedTimers);
        await owner.CancelAllAsync().Within();

        Assert.Equal(0, _time.ArmedTimers);
    }

    [Fact]
    public async Task Deadlines_ManyOwnersOfOneClock_ShareOneTimer()
    {
        var owners = new List<TokenOwner>();
        for (var i = 0; i < 20; i++)
        {
            var owner = CreateOwner();
            owners.Add(owner);
            await owner.RenewAfterAsync(TimeSpan.FromSeconds(i + 1)).Within();
        }

        Assert.Equal(1, _time.ArmedTimers);
        _time.Advance(TimeSpan.FromSeconds(21));
        Assert.Equal(0, _time.ArmedTimers);
        foreach (var owner in owners)
        {
            await owner.DisposeAsync().Within();
        }
    }

    [Fact]
    public async Task Deadlines_ThousandsExpiringTogether_AllEndedWithinOneTick()
    {
        var counter = new SourceCounter();
        await using var owner = CreateOwner(counter);
        var tokens = new List<CancellationToken>();
        for (var i = 0; i < 5_000; i++)
        {
            tokens.Add(await owner.CreateSlot().RenewAfterAsync(TimeSpan.FromMinutes(30)).Within());
        }

        _time.Advance(TimeSpan.FromMinutes(30) + s_tick);

        Assert.All(tokens, t => Assert.True(t.IsCancellationRequested));
        counter.AssertBalanced();
        Assert.Equal(0, _time.ArmedTimers);
    }

    [Fact]
    public async Task RenewAfterAsync_SystemClock_EndsTokenForReal()
    {
        await using var owner = new TokenOwner();

        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(30)).Within();

        await Bounded.Cancelled(token);
        Assert.False(owner.IsCurrent(token));
    }
}
