using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Contract;

/// <summary>Corners of guarantees 5 to 7 and the documented placement and strict-mode details.</summary>
public sealed class EdgeContractTests
{
    [Fact]
    public async Task RenewLinkedAsync_LinkedToOwnOtherSlot_CancelledWhenThatSlotRenews()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var parent = owner.CreateSlot();
        var child = owner.CreateSlot();
        var parentToken = await parent.RenewAsync().Within();
        var childToken = await child.RenewLinkedAsync(parentToken).Within();
        await parent.RenewAsync().Within();
        await Bounded.Cancelled(childToken);
        await owner.CancelAllAsync().Within();
        Assert.False(await child.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    public async Task DisposeAsync_SlotsLinkedToEachOther_Completes()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var a = await owner.CreateSlot().RenewAsync().Within();
        var b = await owner.CreateSlot().RenewLinkedAsync(a).Within();
        await owner.CreateSlot().RenewLinkedAsync(a, b).Within();
        await owner.DisposeAsync().Within();
        await owner.Completion.Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    public async Task OuterToken_CancelledFromCallbackOfOwnToken_OwnerDisposesItself()
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        var token = await owner.RenewAsync().Within();
        token.Register(outer.Cancel);
        var next = await Task.Run(async () => await owner.RenewAsync()).Within();
        await owner.Completion.Within();
        Assert.True(next.IsCancellationRequested);
    }

    [Fact]
    public async Task SlotRenew_CreatedBeforeDisposeNeverUsed_ThrowsObjectDisposed()
    {
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        await owner.DisposeAsync().Within();
        Assert.Throws<ObjectDisposedException>(() => { _ = slot.RenewAsync(); });
        await slot.DisposeAsync().Within();
        Assert.False(await slot.TouchAsync(TimeSpan.FromSeconds(1)).Within());
    }

    [Fact]
    public async Task DisposeAsync_SecondCallWhileFirstInProgress_WaitsForSameCompletion()
    {
        var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        token.Register(() =>
        {
            entered.Set();
            release.Wait(Bounded.Limit);
        });
        var first = Task.Run(async () => await owner.DisposeAsync());
        await Task.Run(() => entered.Wait(Bounded.Limit)).Within();
        Task second;
        try
        {
            second = owner.DisposeAsync().AsTask();
            Assert.False(second.IsCompleted);
        }
        finally
        {
            release.Set();
        }

        await first.Within();
        await second.Within();
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Dispose_StrictInlineThrowingCallback_ThrowsFirstCallOnly()
    {
        var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        var thrown = await Task.Run(() => Record.Exception(owner.Dispose)).Within();
        Assert.NotNull(thrown);
        Assert.True(Guarantee4TimeoutAndLinkTests.Contains<CallbackBoom>(thrown));
        await Task.Run(owner.Dispose).Within();
        await owner.Completion.Within();
    }

    [Fact]
    public async Task Dispose_StrictThreadPoolThrowingCallback_ReportedNotThrown()
    {
        var reporter = new Reporter();
        var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true, CallbackPlacement = CallbackPlacement.ThreadPool, OnCancelException = reporter.Report });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        await Task.Run(owner.Dispose).Within();
        await owner.Completion.Within();
        await Bounded.Until(() => reporter.Count == 1, "the exception is reported");
    }

    [Fact]
    public async Task Inline_LinkCallback_RunsOnCancellerThread()
    {
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner();
        var token = await owner.RenewLinkedAsync(link.Token).Within();
        var callbackThread = -1;
        token.Register(() => callbackThread = Environment.CurrentManagedThreadId);
        var cancellerThread = await Task.Run(() =>
        {
            link.Cancel();
            return Environment.CurrentManagedThreadId;
        }).Within();
        Assert.Equal(cancellerThread, callbackThread);
    }

    [Fact]
    public async Task Inline_TimeoutCallback_RunsOnClockThread()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(10)).Within();
        var callbackThread = -1;
        token.Register(() => callbackThread = Environment.CurrentManagedThreadId);
        var clockThread = await Task.Run(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(30));
            return Environment.CurrentManagedThreadId;
        }).Within();
        Assert.Equal(clockThread, callbackThread);
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    public async Task EndingOperations_AnyPlacement_CallbacksReturnedWhenTheyComplete(CallbackPlacement placement)
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = placement, TimeProvider = new ManualTimeProvider() });
        var slot = owner.CreateSlot();

        async Task CheckAsync(Func<Task> end)
        {
            var token = await slot.RenewAsync().Within();
            var finished = false;
            token.Register(() =>
            {
                Thread.Sleep(15);
                finished = true;
            });
            await end().Within();
            Assert.True(token.IsCancellationRequested);
            Assert.True(finished);
        }

        await CheckAsync(() => slot.CancelAndDisposeAsync().AsTask());
        await CheckAsync(() => owner.CancelAllAsync().AsTask());
        await CheckAsync(() => slot.TouchAsync(TimeSpan.Zero).AsTask());
        await CheckAsync(() => slot.RenewAfterAsync(TimeSpan.Zero).AsTask());
        await CheckAsync(() => slot.RenewOwnedAsync(new CancellationTokenSource()).AsTask());
        await CheckAsync(() => slot.DisposeAsync().AsTask());
    }

    [Fact]
    public async Task SynchronizationContext_CallbackDisposesOwnerSynchronously_NoDeadlock()
    {
        using var pump = new PumpContext();
        var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext, CallbackContext = pump });
        var token = await owner.RenewAsync().Within();
        token.Register(owner.Dispose);
        await Task.Run(async () => await owner.RenewAsync()).Within();
        await owner.Completion.Within();
    }

    [Fact]
    public async Task SlotDispose_StrictThrowingCallback_SlotRetiredAnyway()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        await Record.ExceptionAsync(async () => await slot.DisposeAsync().Within());
        Assert.True(token.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => { _ = slot.RenewAsync(); });
    }

    [Fact]
    public async Task TouchAsync_ZeroStrictThrowingCallback_TokenEndedAnyway()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true, TimeProvider = new ManualTimeProvider() });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        await Record.ExceptionAsync(async () => await owner.TouchAsync(TimeSpan.Zero).Within());
        Assert.True(token.IsCancellationRequested);
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
    }

    [Fact]
    public async Task DefaultPolicy_SeveralThrowingCallbacksOnOneToken_ReportedOnce()
    {
        var reporter = new Reporter();
        await using var owner = new TokenOwner(new TokenOwnerOptions { OnCancelException = reporter.Report });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom("1"));
        token.Register(() => throw new CallbackBoom("2"));
        await owner.CancelAndDisposeAsync().Within();
        Assert.Equal(1, reporter.Count);
        var aggregate = Assert.IsType<AggregateException>(reporter.Reported[0]);
        Assert.Equal(2, aggregate.Flatten().InnerExceptions.Count);
    }

    [Fact]
    public async Task DefaultPolicy_CancelAllWithTwoThrowingSlots_EachReportedOnce()
    {
        var reporter = new Reporter();
        await using var owner = new TokenOwner(new TokenOwnerOptions { OnCancelException = reporter.Report });
        var a = await owner.CreateSlot().RenewAsync().Within();
        var b = await owner.CreateSlot().RenewAsync().Within();
        a.Register(() => throw new CallbackBoom("a"));
        b.Register(() => throw new CallbackBoom("b"));
        await owner.CancelAllAsync().Within();
        Assert.Equal(2, reporter.Count);
    }

    [Fact]
    public async Task RenewOwnedAsync_AlreadyCancelledSource_AcceptedAndEndedOnce()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var source = factory.CreateForCaller();
        source.Cancel();
        var token = await owner.RenewOwnedAsync(source).Within();
        Assert.True(token.IsCancellationRequested);
        Assert.False(owner.IsCurrent(token));
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }
}
