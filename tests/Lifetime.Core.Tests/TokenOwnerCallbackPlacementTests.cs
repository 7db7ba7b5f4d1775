using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

public sealed class TokenOwnerCallbackPlacementTests : IDisposable
{
    private readonly PumpContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "3")]
    public async Task Inline_CallbackHasReturnedWhenRenewCompletes()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        var ranOn = -1;
        token.Register(() => ranOn = Environment.CurrentManagedThreadId);

        var renew = owner.RenewAsync();

        Assert.True(renew.IsCompletedSuccessfully);
        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
        await renew;
    }

    [Theory]
    [InlineData(CallbackPlacement.ThreadPool)]
    [InlineData(CallbackPlacement.SynchronizationContext)]
    [Trait("Guarantee", "5")]
    public async Task Dispatched_SlowCallback_NeverStallsTheOwnerButHoldsItsOwnReply(CallbackPlacement placement)
    {
        await using var owner = Create(placement);
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();
        using var hold = PathHold.On(token);

        var renew = slot.RenewAsync().AsTask();
        await hold.Entered;

        // The owner goes on with other work while the callback is blocked...
        var other = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(other));
        Assert.True(await owner.TouchAsync(TimeSpan.FromMinutes(1)).Within());

        // ...but the renew that ended the token answers only after its callback returned.
        Assert.False(renew.IsCompleted);
        Assert.True(token.IsCancellationRequested);
        hold.Release();
        var next = await renew.Within();
        Assert.True(slot.IsCurrent(next));
    }

    [Fact]
    [Trait("Guarantee", "5")]
    public async Task SynchronizationContext_CallbacksRunOnThatContext()
    {
        await using var owner = Create(CallbackPlacement.SynchronizationContext);
        var token = await owner.RenewAsync().Within();
        var ranOn = -1;
        token.Register(() => ranOn = Environment.CurrentManagedThreadId);

        await owner.RenewAsync().Within();

        Assert.Equal(_context.ThreadId, ranOn);
        Assert.True(_context.Posted > 0);
    }

    [Fact]
    [Trait("Guarantee", "5")]
    public async Task SynchronizationContext_CapturedWhenNoneGiven()
    {
        var captured = await _context.Run(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext }));
        var token = await captured.RenewAsync().Within();
        var ranOn = -1;
        token.Register(() => ranOn = Environment.CurrentManagedThreadId);

        await captured.DisposeAsync().Within();

        Assert.Equal(_context.ThreadId, ranOn);
    }

    [Theory]
    [InlineData(CallbackPlacement.ThreadPool)]
    [InlineData(CallbackPlacement.SynchronizationContext)]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "3")]
    [Trait("Guarantee", "2")]
    public async Task Dispatched_PreviousTokenCancelledWhenRenewCompletes(CallbackPlacement placement)
    {
        var counter = new SourceCounter();
        var options = counter.Options();
        options.CallbackPlacement = placement;
        options.CallbackContext = _context;
        var owner = new TokenOwner(options);
        var token = await owner.RenewAsync().Within();

        for (var i = 0; i < 100; i++)
        {
            var next = await owner.RenewAsync().Within();
            Assert.True(token.IsCancellationRequested);
            token = next;
        }

        await owner.DisposeAsync().Within();
        Assert.True(token.IsCancellationRequested);
        counter.AssertBalanced();
    }

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
    public async Task SynchronizationContext_DisposeOnThatContext_DoesNotDeadlock()
    {
        var counter = new SourceCounter();
        var options = counter.Options();
        options.CallbackPlacement = CallbackPlacement.SynchronizationContext;
        options.CallbackContext = _context;
        var owner = new TokenOwner(options);
        var token = await owner.RenewAsync().Within();

        // Like a Unity OnDestroy: a synchronous Dispose on the very thread callbacks are posted to.
        await _context.Run(() =>
        {
            owner.Dispose();
            return 0;
        });

        await owner.Completion.Within();
        Assert.True(token.IsCancellationRequested);
        counter.AssertBalanced();
    }

    public static TheoryData<string> EndsWithAnAwaitingCaller => new() { "CancelAndDispose", "CancelAll", "TouchZero", "Renew" };

    [Theory]
    [MemberData(nameof(EndsWithAnAwaitingCaller))]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "3")]
    public async Task Dispatched_RenewAfterAnEndNotRunYet_AnswersOnlyOnceThatTokenIsCancelled(string end)
    {
        var context = new QueueOnlyContext();
        var owner = context.CreateOwner();
        var t0 = await context.SettleAsync(owner.RenewAsync());

        var ending = end switch
        {
            "CancelAndDispose" => owner.CancelAndDisposeAsync(),
            "CancelAll" => owner.CancelAllAsync(),
            "TouchZero" => new ValueTask(owner.TouchAsync(TimeSpan.Zero).AsTask()),
            _ => new ValueTask(owner.RenewAsync().AsTask()),
        };

        // Asked of the value task itself: a Task made from it completes later, on the pool.
        var renew = owner.RenewAsync();

        // The end of t0 is dispatched but has not run: no reply may claim it has.
        Assert.False(t0.IsCancellationRequested);
        Assert.False(renew.IsCompleted);
        Assert.False(ending.IsCompleted);

        context.RunAll();
        await ending.Within();
        var t2 = await renew.Within();
        Assert.True(t0.IsCancellationRequested);
        Assert.True(owner.IsCurrent(t2));

        await context.DisposeOwnerAsync(owner);
    }

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "3")]
    public async Task Dispatched_SecondRenewWhoseEndFinishesFirst_AnswersAfterTheFirstRenewsEnd()
    {
        var context = new QueueOnlyContext();
        var owner = context.CreateOwner();
        var t0 = await context.SettleAsync(owner.RenewAsync());

        var r1 = owner.RenewAsync(); // ends t0: dispatched, queued first
        var r2 = owner.RenewAsync(); // ends t1: dispatched, queued second

        // Run only the second end: R2 must still wait for the end of t0, or it would answer while the
        // token R1 replaced is live.
        context.RunNewest();
        Assert.False(t0.IsCancellationRequested);
        Assert.False(r2.IsCompleted);

        context.RunAll();
        await r1.Within();
        await r2.Within();
        Assert.True(t0.IsCancellationRequested);

        await context.DisposeOwnerAsync(owner);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [Trait("Guarantee", "5")]
    public async Task Dispatched_TouchOfASlotWhoseEndHasNotRunYet_AnswersFalseOnlyOnceThatTokenIsCancelled(bool zero)
    {
        var context = new QueueOnlyContext();
        var owner = context.CreateOwner();
        var t0 = await context.SettleAsync(owner.RenewAsync());

        var cancel = owner.CancelAndDisposeAsync(); // ends t0: dispatched, not run
        var touch = owner.TouchAsync(zero ? TimeSpan.Zero : TimeSpan.FromHours(1));

        // "No live token" must not be answered while the token the cancel ended is live.
        Assert.False(t0.IsCancellationRequested);
        Assert.False(touch.IsCompleted);

        context.RunAll();
        await cancel.Within();
        Assert.False(await touch.Within());
        Assert.True(t0.IsCancellationRequested);

        await context.DisposeOwnerAsync(owner);
    }

    [Fact]
    [Trait("Guarantee", "5")]
    public async Task Dispatched_CancelAllWhoseEndFinishesBeforeAnEarlierRenewsEnd_AnswersAfterIt()
    {
        var context = new QueueOnlyContext();
        var owner = context.CreateOwner();
        var slot = owner.CreateSlot();
        var t0 = await context.SettleAsync(owner.RenewAsync());
        var s0 = await context.SettleAsync(slot.RenewAsync());

        var renew = owner.RenewAsync(); // ends t0: dispatched, queued first
        var cancel = slot.CancelAndDisposeAsync(); // ends s0: dispatched, queued second
        var all = owner.CancelAllAsync(); // ends t1, which replaced t0: queued last

        // Run only the cancel-all's own end: it must still wait for the ends of t0 and s0.
        context.RunNewest();
        Assert.False(t0.IsCancellationRequested);
        Assert.False(all.IsCompleted);
        context.RunNewest();
        Assert.True(s0.IsCancellationRequested);
        Assert.False(all.IsCompleted);

        context.RunAll();
        await renew.Within();
        await cancel.Within();
        await all.Within();
        Assert.True(t0.IsCancellationRequested);

        await context.DisposeOwnerAsync(owner);
    }

    public static TheoryData<string> CleanupCalls => new() { "CancelAndDispose", "CancelAll", "Touch", "RetireSlot" };

    [Theory]
    [MemberData(nameof(CleanupCalls))]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
    public async Task Dispatched_CleanupAfterADisposalWhoseEndsHaveNotRun_AnswersOnlyOnceTheyHave(string call)
    {
        var context = new QueueOnlyContext();
        var owner = context.CreateOwner();
        var slot = owner.CreateSlot();
        var t0 = await context.SettleAsync(owner.RenewAsync());
        var s0 = await context.SettleAsync(slot.RenewAsync());

        // Processed at once (the owner is idle): the mailbox is closed, the ends are queued, not run.
        var disposing = owner.DisposeAsync();
        var cleanup = call switch
        {
            "CancelAndDispose" => owner.CancelAndDisposeAsync(),
            "CancelAll" => owner.CancelAllAsync(),
            "Touch" => new ValueTask(slot.TouchAsync(TimeSpan.Zero).AsTask()),
            _ => slot.DisposeAsync(),
        };

        Assert.False(t0.IsCancellationRequested || s0.IsCancellationRequested);
        Assert.False(cleanup.IsCompleted);

        context.RunAll();
        await cleanup.Within();
        await disposing.Within();
        Assert.True(t0.IsCancellationRequested && s0.IsCancellationRequested);
    }

    private TokenOwner Create(CallbackPlacement placement) => new(_context.Options(placement));

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "4")]
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
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "4")]
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
    [Trait("Guarantee", "5")]
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
    [Trait("Guarantee", "5")]
    public void CallbackPlacement_Values_AsDocumented()
    {
        Assert.Equal(0, (int)CallbackPlacement.Inline);
        Assert.Equal(1, (int)CallbackPlacement.ThreadPool);
        Assert.Equal(2, (int)CallbackPlacement.SynchronizationContext);
        Assert.Equal(CallbackPlacement.Inline, new TokenOwnerOptions().CallbackPlacement);
    }

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "8")]
    public void Constructor_UndefinedPlacement_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = (CallbackPlacement)42 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = (CallbackPlacement)(-1) }));
    }

    [Fact]
    [Trait("Guarantee", "5")]
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
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "4")]
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
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
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
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
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
