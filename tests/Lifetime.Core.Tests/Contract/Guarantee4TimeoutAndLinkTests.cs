using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Contract;

/// <summary>Guarantee 4: timeouts and links belong to the owner; never early, at most one wheel tick (10 ms) late.</summary>
public sealed class Guarantee4TimeoutAndLinkTests
{
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(1);

    /// <summary>Advances in small steps until <paramref name="token"/> is cancelled; returns how far the clock moved.</summary>
    private static TimeSpan AdvanceUntilCancelled(ManualTimeProvider time, CancellationToken token, TimeSpan step, TimeSpan limit)
    {
        var moved = TimeSpan.Zero;
        while (!token.IsCancellationRequested && moved <= limit)
        {
            time.Advance(step);
            moved += step;
        }

        return moved;
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
        var moved = AdvanceUntilCancelled(time, token, s_step, timeout + TimeSpan.FromSeconds(1));
        Assert.True(token.IsCancellationRequested, "the token never timed out");
        Assert.True(moved >= timeout, $"fired early: after {moved.TotalMilliseconds} ms of {timeoutMs} ms");
        Assert.True(moved <= timeout + s_tick, $"fired late: after {moved.TotalMilliseconds} ms of {timeoutMs} ms");
    }

    [Fact]
    public async Task RenewAfterAsync_SubMillisecondTimeout_NotBornCancelledAndNeverEarly()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var timeout = TimeSpan.FromTicks(5_000); // 0.5 ms
        var token = await owner.RenewAfterAsync(timeout).Within();
        Assert.False(token.IsCancellationRequested);
        var moved = AdvanceUntilCancelled(time, token, TimeSpan.FromTicks(1_000), TimeSpan.FromSeconds(1));
        Assert.True(token.IsCancellationRequested);
        Assert.True(moved >= timeout, $"fired early: after {moved.TotalMilliseconds} ms");
        Assert.True(moved <= timeout + s_tick, $"fired late: after {moved.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task RenewLinkedAfterAsync_TimeoutFirst_CancelledOnTime()
    {
        var time = new ManualTimeProvider();
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewLinkedAfterAsync(TimeSpan.FromMilliseconds(40), link.Token).Within();
        var moved = AdvanceUntilCancelled(time, token, s_step, TimeSpan.FromSeconds(1));
        Assert.InRange(moved.TotalMilliseconds, 40, 50);
    }

    [Fact]
    public async Task RenewLinkedAfterAsync_LinkFirst_CancelledBeforeTimeout()
    {
        var time = new ManualTimeProvider();
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewLinkedAfterAsync(TimeSpan.FromMinutes(10), link.Token).Within();
        link.Cancel();
        await Bounded.Cancelled(token);
    }

    [Fact]
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
    public async Task RenewAfterAsync_InfiniteTimeout_NeverCancelled()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(Timeout.InfiniteTimeSpan).Within();
        time.Advance(TimeSpan.FromDays(100));
        Assert.False(token.IsCancellationRequested);
    }

    [Fact]
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
    public async Task RenewAfterAsync_ManyOwnersOneClock_OneSharedTimer()
    {
        var time = new ManualTimeProvider();
        var owners = new TokenOwner[20];
        for (var i = 0; i < owners.Length; i++)
        {
            owners[i] = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
            await owners[i].RenewAfterAsync(TimeSpan.FromMinutes(1 + i)).Within();
            await owners[i].CreateSlot().RenewLinkedAfterAsync(TimeSpan.FromSeconds(1 + i), Variants.LongLived.Token).Within();
        }

        Assert.InRange(time.ArmedTimers, 1, 1);
        foreach (var owner in owners)
        {
            await owner.DisposeAsync().Within();
        }
    }

    [Fact]
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
    }

    [Fact]
    public async Task RenewAfterAsync_ThrowingCallbackOnTimeout_ReportedAndProcessSurvives()
    {
        var time = new ManualTimeProvider();
        var reporter = new Reporter();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time, OnCancelException = reporter.Report });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(10)).Within();
        token.Register(() => throw new CallbackBoom());
        time.Advance(TimeSpan.FromMilliseconds(30));
        await Bounded.Cancelled(token);
        await Bounded.Until(() => reporter.Count == 1, "the timeout's callback exception is reported");
        Assert.Contains(reporter.Reported, e => Contains<CallbackBoom>(e));
        var next = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(next));
    }

    [Fact]
    public async Task RenewAfterAsync_ThrowingCallbackOnTimeoutStrict_ReportedNotThrown()
    {
        var time = new ManualTimeProvider();
        var reporter = new Reporter();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time, OnCancelException = reporter.Report, ThrowOnCancelException = true });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(10)).Within();
        token.Register(() => throw new CallbackBoom());
        time.Advance(TimeSpan.FromMilliseconds(30));
        await Bounded.Until(() => reporter.Count == 1, "the timeout's callback exception is reported");
        await owner.RenewAsync().Within();
    }

    [Fact]
    public async Task RenewLinkedAsync_ThrowingCallbackOnLink_CancellerDoesNotThrowAndExceptionReported()
    {
        var reporter = new Reporter();
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner(new TokenOwnerOptions { OnCancelException = reporter.Report });
        var token = await owner.RenewLinkedAsync(link.Token).Within();
        token.Register(() => throw new CallbackBoom());
        var thrown = Record.Exception(() => link.Cancel());
        Assert.Null(thrown);
        await Bounded.Cancelled(token);
        await Bounded.Until(() => reporter.Count == 1, "the link's callback exception is reported");
        Assert.True(Contains<CallbackBoom>(reporter.Reported[0]));
    }

    [Fact]
    public async Task RenewLinkedAsync_ThrowingCallbackOnLinkStrict_CancellerDoesNotThrow()
    {
        var reporter = new Reporter();
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner(new TokenOwnerOptions { OnCancelException = reporter.Report, ThrowOnCancelException = true });
        var token = await owner.RenewLinkedAsync(link.Token).Within();
        token.Register(() => throw new CallbackBoom());
        Assert.Null(Record.Exception(() => link.Cancel()));
        await Bounded.Until(() => reporter.Count == 1, "the link's callback exception is reported");
    }

    [Fact]
    public async Task RenewLinkedAsync_TokenRetired_RegistrationRemovedFromLink()
    {
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner();
        await owner.RenewLinkedAsync(link.Token).Within();
        Assert.Equal(1, Registrations.Count(link));
        await owner.RenewAsync().Within();
        Assert.Equal(0, Registrations.Count(link));
        await owner.RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), link.Token).Within();
        await owner.CancelAndDisposeAsync().Within();
        Assert.Equal(0, Registrations.Count(link));
    }

    [Fact]
    public async Task RenewLinkedAsync_OneLinkFires_RegistrationsOnOtherLinksRemoved()
    {
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        await using var owner = new TokenOwner();
        var token = await owner.RenewLinkedAsync(a.Token, b.Token).Within();
        a.Cancel();
        await Bounded.Cancelled(token);
        await Bounded.Until(() => Registrations.Count(b) == 0, "the other link's registration is removed");
    }

    [Fact]
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

    internal static bool Contains<T>(Exception e)
        where T : Exception
    {
        if (e is T)
        {
            return true;
        }

        if (e is AggregateException aggregate)
        {
            foreach (var inner in aggregate.Flatten().InnerExceptions)
            {
                if (inner is T)
                {
                    return true;
                }
            }
        }

        return e.InnerException is not null && Contains<T>(e.InnerException);
    }
}
