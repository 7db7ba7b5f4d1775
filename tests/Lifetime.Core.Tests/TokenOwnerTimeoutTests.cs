using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
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

    [Fact]
    [Trait("Guarantee", "4")]
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
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "8")]
    [Trait("Guarantee", "3")]
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
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "3")]
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
    [Trait("Guarantee", "4")]
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
    [Trait("Guarantee", "4")]
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
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "2")]
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
    [Trait("Guarantee", "4")]
    public async Task Deadlines_ManyDueInOneTick_EndInTheOrderTheirDeadlinesPassed()
    {
        // When one tick collects more due slots than can end at once, the ones whose deadlines passed
        // first must not wait behind the rest: the wheel walks each bucket in filing order.
        await using var owner = CreateOwner();
        var ended = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            var index = i;
            var token = await owner.CreateSlot().RenewAfterAsync(TimeSpan.FromSeconds(1)).Within();
            token.Register(() => ended.Add(index));
            _time.Advance(TimeSpan.FromMilliseconds(0.1));
        }

        _time.Advance(TimeSpan.FromSeconds(1) + s_tick);

        Assert.Equal(Enumerable.Range(0, 200), ended);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewAfterAsync_ManySlotsAtEveryPhase_EachNeverEarlyAtMostOneTickLate()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var tokens = new CancellationToken[200];
        var due = new long[tokens.Length];
        var fired = new long[tokens.Length];
        var elapsed = 0L;
        for (var i = 0; i < tokens.Length; i++)
        {
            var timeoutMs = 1 + (i * 7 % 53);
            tokens[i] = await owner.CreateSlot().RenewAfterAsync(TimeSpan.FromMilliseconds(timeoutMs)).Within();
            due[i] = elapsed + timeoutMs;
            if (i % 3 == 0)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
                elapsed++;
                for (var j = 0; j <= i; j++)
                {
                    if (fired[j] == 0 && tokens[j].IsCancellationRequested)
                    {
                        fired[j] = elapsed;
                    }
                }
            }
        }

        while (elapsed < 200)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            elapsed++;
            for (var j = 0; j < tokens.Length; j++)
            {
                if (fired[j] == 0 && tokens[j].IsCancellationRequested)
                {
                    fired[j] = elapsed;
                }
            }
        }

        for (var i = 0; i < tokens.Length; i++)
        {
            Assert.True(fired[i] >= due[i], $"token {i} fired at {fired[i]} ms, due {due[i]} ms");
            Assert.True(fired[i] <= due[i] + 10, $"token {i} fired at {fired[i]} ms, due {due[i]} ms");
        }
    }


    [Theory]
    [InlineData(1, 0)]
    [InlineData(5, 0)]
    [InlineData(10, 0)]
    [InlineData(15, 3)]
    [InlineData(37, 7)]
    [InlineData(100, 0)]
    [InlineData(100, 9)]
    [InlineData(1000, 4)]
    [InlineData(1234, 0)]
    [InlineData(60000, 5)]
    [Trait("Guarantee", "4")]
    public async Task RenewAfterAsync_ManualClock_NeverEarlyAtMostOneTickLate(int timeoutMs, int phaseMs)
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });

        // Start the wheel at another phase first, so the deadline does not line up with a tick.
        var other = owner.CreateSlot();
        await other.RenewAfterAsync(TimeSpan.FromMinutes(5)).Within();
        time.Advance(TimeSpan.FromMilliseconds(phaseMs));

        var timeout = TimeSpan.FromMilliseconds(timeoutMs);
        var token = await owner.RenewAfterAsync(timeout).Within();
        Assert.False(token.IsCancellationRequested);
        var moved = time.AdvanceUntilCancelled(token, TimeSpan.FromMilliseconds(1), timeout + TimeSpan.FromSeconds(1));
        Assert.True(token.IsCancellationRequested, "the token never timed out");
        Assert.True(moved >= timeout, $"fired early: after {moved.TotalMilliseconds} ms of {timeoutMs} ms");
        Assert.True(moved <= timeout + s_tick, $"fired late: after {moved.TotalMilliseconds} ms of {timeoutMs} ms");
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewAfterAsync_SubMillisecondTimeout_NotBornCancelledAndNeverEarly()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var timeout = TimeSpan.FromTicks(5_000); // 0.5 ms
        var token = await owner.RenewAfterAsync(timeout).Within();
        Assert.False(token.IsCancellationRequested);
        var moved = time.AdvanceUntilCancelled(token, TimeSpan.FromTicks(1_000), TimeSpan.FromSeconds(1));
        Assert.True(token.IsCancellationRequested);
        Assert.True(moved >= timeout, $"fired early: after {moved.TotalMilliseconds} ms");
        Assert.True(moved <= timeout + s_tick, $"fired late: after {moved.TotalMilliseconds} ms");
    }

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "3")]
    public async Task RenewAfterAsync_RenewedBeforeDeadline_NewTokenNotCancelledByOldDeadline()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(20)).Within();
        var next = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(200)).Within();
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(next.IsCancellationRequested);
        Assert.True(owner.IsCurrent(next));
    }

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "8")]
    public async Task RenewAfterAsync_MaximumTimeout_Accepted()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var max = TimeSpan.FromMilliseconds(4294967294);
        var token = await owner.RenewAfterAsync(max).Within();
        Assert.False(token.IsCancellationRequested);
        time.Advance(max - TimeSpan.FromSeconds(1));
        Assert.False(token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewAfterAsync_SystemClock_NeverEarly()
    {
        await using var owner = new TokenOwner();
        var timeout = TimeSpan.FromMilliseconds(60);
        var started = Stopwatch.GetTimestamp();
        var token = await owner.RenewAfterAsync(timeout).Within();

        // The measuring callback itself completes the wait: a second callback could let the test go on
        // before this one has run (callbacks run one after another, on the cancelling thread).
        var cancelledAfter = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.Register(() => cancelledAfter.TrySetResult(Stopwatch.GetElapsedTime(started)));
        var elapsedAtCancel = await cancelledAfter.Task.Within();
        Assert.True(elapsedAtCancel >= timeout, $"fired early after {elapsedAtCancel.TotalMilliseconds} ms");
        Assert.False(owner.IsCurrent(token));
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewAfterAsync_TokenTimedOut_NoTimerLeftArmedOnTheClock()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(15)).Within();
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(token.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(0, time.ArmedTimers);
    }
}
