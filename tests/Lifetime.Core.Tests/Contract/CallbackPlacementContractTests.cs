using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Contract;

/// <summary>Guarantee 5, second half: where callbacks run, per <see cref="CallbackPlacement"/>.</summary>
public sealed class CallbackPlacementContractTests
{
    [Fact]
    public void CallbackPlacement_Values_AsDocumented()
    {
        Assert.Equal(0, (int)CallbackPlacement.Inline);
        Assert.Equal(1, (int)CallbackPlacement.ThreadPool);
        Assert.Equal(2, (int)CallbackPlacement.SynchronizationContext);
        Assert.Equal(CallbackPlacement.Inline, new TokenOwnerOptions().CallbackPlacement);
    }

    [Fact]
    public void Constructor_UndefinedPlacement_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = (CallbackPlacement)42 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = (CallbackPlacement)(-1) }));
    }

    [Fact]
    public async Task Constructor_SynchronizationContextWithoutContext_ThrowsInvalidOperation()
    {
        await Task.Run(() =>
        {
            Assert.Null(SynchronizationContext.Current);
            Assert.Throws<InvalidOperationException>(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext }));
        }).Within();
    }

    [Fact]
    public async Task Inline_IdleOwner_CallbackRunsOnCallerThreadBeforeReply()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        var callbackThread = -1;
        var finished = false;
        token.Register(() =>
        {
            callbackThread = Environment.CurrentManagedThreadId;
            Thread.SpinWait(1000);
            finished = true;
        });
        var callerThread = await Task.Run(async () =>
        {
            var id = Environment.CurrentManagedThreadId;
            await owner.RenewAsync();
            Assert.True(finished);
            return id;
        }).Within();
        Assert.Equal(callerThread, callbackThread);
    }

    [Fact]
    public async Task ThreadPool_Callback_RunsOnPoolThreadAndHasReturnedWhenRenewCompletes()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.ThreadPool });
        var token = await owner.RenewAsync().Within();
        var onPool = false;
        var finished = false;
        token.Register(() =>
        {
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            Thread.Sleep(20);
            finished = true;
        });
        await owner.RenewAsync().Within();
        Assert.True(finished);
        Assert.True(onPool);
    }

    [Fact]
    public async Task ThreadPool_SlowCallback_OwnerServesOtherSlotsMeanwhile()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.ThreadPool });
        var slow = owner.CreateSlot();
        var other = owner.CreateSlot();
        var token = await slow.RenewAsync().Within();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        token.Register(() =>
        {
            entered.Set();
            release.Wait(Bounded.Limit);
        });
        var slowRenew = slow.RenewAsync().AsTask();
        await Task.Run(() => entered.Wait(Bounded.Limit)).Within();
        try
        {
            var fast = await other.RenewAsync().Within();
            Assert.True(other.IsCurrent(fast));
            await other.CancelAndDisposeAsync().Within();
            Assert.False(slowRenew.IsCompleted);
        }
        finally
        {
            release.Set();
        }

        var renewed = await slowRenew.Within();
        Assert.True(token.IsCancellationRequested);
        Assert.True(slow.IsCurrent(renewed));
    }

    [Fact]
    public async Task SynchronizationContext_ExplicitContext_CallbackRunsThereBeforeReply()
    {
        using var pump = new PumpContext();
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext, CallbackContext = pump });
        var token = await owner.RenewAsync().Within();
        var callbackThread = -1;
        token.Register(() => callbackThread = Environment.CurrentManagedThreadId);
        await owner.RenewAsync().Within();
        Assert.Equal(pump.ThreadId, callbackThread);
    }

    [Fact]
    public async Task SynchronizationContext_CurrentContextAtConstruction_Captured()
    {
        using var pump = new PumpContext();
        var owner = await Task.Run(() =>
        {
            SynchronizationContext.SetSynchronizationContext(pump);
            try
            {
                return new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext });
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(null);
            }
        }).Within();
        await using (owner)
        {
            var token = await owner.RenewAsync().Within();
            var callbackThread = -1;
            token.Register(() => callbackThread = Environment.CurrentManagedThreadId);
            await Task.Run(async () => await owner.CancelAndDisposeAsync()).Within();
            Assert.Equal(pump.ThreadId, callbackThread);
        }
    }

    [Fact]
    public async Task SynchronizationContext_Timeout_CallbackRunsOnContext()
    {
        using var pump = new PumpContext();
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext, CallbackContext = pump, TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(10)).Within();
        var callbackThread = -1;
        using var ran = new ManualResetEventSlim();
        token.Register(() =>
        {
            callbackThread = Environment.CurrentManagedThreadId;
            ran.Set();
        });
        time.Advance(TimeSpan.FromMilliseconds(30));
        await Task.Run(() => ran.Wait(Bounded.Limit)).Within();
        Assert.Equal(pump.ThreadId, callbackThread);
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    [InlineData(CallbackPlacement.SynchronizationContext)]
    public async Task Completion_DispatchedPlacements_WaitsForEverySourceDisposed(CallbackPlacement placement)
    {
        using var pump = new PumpContext();
        var factory = new TrackingFactory();
        var options = factory.Options();
        options.CallbackPlacement = placement;
        options.CallbackContext = pump;
        var owner = new TokenOwner(options);
        for (var i = 0; i < 5; i++)
        {
            var token = await owner.CreateSlot().RenewAsync().Within();
            token.Register(() => Thread.Sleep(10));
        }

        owner.Dispose();
        await owner.Completion.Within();
        Assert.Equal(5, factory.Disposed);
        factory.AssertAllEndedExactlyOnce();
    }

    [Theory]
    [InlineData(CallbackPlacement.ThreadPool)]
    [InlineData(CallbackPlacement.SynchronizationContext)]
    public async Task DisposeAsync_DispatchedPlacement_WaitsForCallbacks(CallbackPlacement placement)
    {
        using var pump = new PumpContext();
        var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = placement, CallbackContext = pump });
        var token = await owner.RenewAsync().Within();
        var finished = false;
        token.Register(() =>
        {
            Thread.Sleep(20);
            finished = true;
        });
        await owner.DisposeAsync().Within();
        Assert.True(finished);
    }
}
