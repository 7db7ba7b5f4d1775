using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary>A cancellation callback may call any member of its own owner: the call becomes a message behind the current one.</summary>
public sealed class TokenOwnerReentryTests : IDisposable
{
    private readonly PumpContext _context = new();

    public static TheoryData<CallbackPlacement> Placements() => new()
    {
        CallbackPlacement.Inline,
        CallbackPlacement.ThreadPool,
        CallbackPlacement.SynchronizationContext,
    };

    public void Dispose() => _context.Dispose();

    [Theory]
    [MemberData(nameof(Placements))]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "3")]
    public async Task Callback_RenewsItsOwnSlot_RunsAfterCurrentRenewAndLeavesOneLiveToken(CallbackPlacement placement)
    {
        var counter = new SourceCounter();
        await using var owner = CreateOwner(placement, counter);
        var first = await owner.RenewAsync().Within();
        var fromCallback = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        first.Register(() => _ = ForwardAsync(owner.RenewAsync(), fromCallback));

        var second = await owner.RenewAsync().Within();
        var third = await fromCallback.Task.Within();

        Assert.True(first.IsCancellationRequested);
        await Bounded.Cancelled(second);
        Assert.True(owner.IsCurrent(third));
        Assert.Equal(counter.Created - 1, counter.Disposed);
    }

    [Theory]
    [MemberData(nameof(Placements))]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Callback_DisposesOwnerSynchronously_NoDeadlockAndEverythingEnded(CallbackPlacement placement)
    {
        var counter = new SourceCounter();
        var owner = CreateOwner(placement, counter);
        var slotToken = await owner.CreateSlot().RenewAsync().Within();
        var token = await owner.RenewAsync().Within();
        token.Register(() => owner.Dispose());

        await owner.CancelAndDisposeAsync().Within();

        await Bounded.Cancelled(slotToken);
        await owner.Completion.Within();
        counter.AssertBalanced();
        Assert.Throws<ObjectDisposedException>(() => { _ = owner.RenewAsync(); });
    }

    [Theory]
    [MemberData(nameof(Placements))]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Callback_DisposesOwnerAsynchronously_NoDeadlock(CallbackPlacement placement)
    {
        var counter = new SourceCounter();
        var owner = CreateOwner(placement, counter);
        var token = await owner.RenewAsync().Within();
        var disposal = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => disposal.SetResult(owner.DisposeAsync().AsTask()));

        await owner.RenewAsync().Within();

        await (await disposal.Task.Within()).Within();
        await owner.Completion.Within();
        counter.AssertBalanced();
        Assert.Throws<ObjectDisposedException>(() => owner.CreateSlot());
    }

    [Theory]
    [MemberData(nameof(Placements))]
    [Trait("Guarantee", "5")]
    public async Task Callback_CancelsAll_NoDeadlockAndAllEnded(CallbackPlacement placement)
    {
        await using var owner = CreateOwner(placement, null);
        var slotToken = await owner.CreateSlot().RenewAsync().Within();
        var token = await owner.RenewAsync().Within();
        token.Register(() => _ = owner.CancelAllAsync());

        var renewed = await owner.RenewAsync().Within();

        await Bounded.Cancelled(slotToken);
        await Bounded.Cancelled(renewed);
        var after = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(after));
    }

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
    public async Task Callback_RetiresItsOwnSlotSynchronously_NoDeadlock()
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();
        token.Register(() => slot.Dispose());

        await slot.CancelAndDisposeAsync().Within();

        await Bounded.Until(() => slot.IsClosedForRenew, "the slot is retired");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => slot.RenewAsync().Within());
    }

    [Fact]
    [Trait("Guarantee", "5")]
    public async Task Callback_CreatesSlotTouchesAndRenews_AllProcessedInOrder()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAsync().Within();
        var created = new TaskCompletionSource<(TokenSlot, Task<CancellationToken>, Task<bool>)>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() =>
        {
            var slot = owner.CreateSlot();
            created.SetResult((slot, slot.RenewAfterAsync(TimeSpan.FromSeconds(1)).AsTask(), slot.TouchAsync(TimeSpan.FromSeconds(10)).AsTask()));
        });

        await owner.CancelAndDisposeAsync().Within();
        var (slot, renew, touch) = await created.Task.Within();
        var slotToken = await renew.Within();

        Assert.True(await touch.Within());
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(slot.IsCurrent(slotToken));
        time.Advance(TimeSpan.FromSeconds(5.02));
        Assert.True(slotToken.IsCancellationRequested);
    }

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "4")]
    public async Task TimeoutCallback_RenewsTheSlot_NewTokenLive()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromSeconds(1)).Within();
        var renewed = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => _ = ForwardAsync(owner.RenewAfterAsync(TimeSpan.FromSeconds(1)), renewed));

        time.Advance(TimeSpan.FromSeconds(1.02));
        var next = await renewed.Task.Within();

        Assert.True(owner.IsCurrent(next));
        time.Advance(TimeSpan.FromSeconds(1.02));
        Assert.True(next.IsCancellationRequested);
    }

    [Theory]
    [MemberData(nameof(Placements))]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "3")]
    public async Task RenewStorm_EveryCallbackRenews_EndsWithExactlyOneLiveToken(CallbackPlacement placement)
    {
        var counter = new SourceCounter();
        await using var owner = CreateOwner(placement, counter);
        var remaining = 500;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each token's callback renews once; that renew ends the next token, whose callback renews
        // again: a chain of 500 re-entrant renews, each queued behind the one that triggered it.
        void Arm(CancellationToken token) => token.Register(() =>
        {
            if (Interlocked.Decrement(ref remaining) < 0)
            {
                done.TrySetResult();
                return;
            }

            _ = ArmWhenRenewed(owner.RenewAsync());
        });

        async Task ArmWhenRenewed(ValueTask<CancellationToken> renew) => Arm(await renew);

        Arm(await owner.RenewAsync().Within());
        Arm(await owner.RenewAsync().Within());
        await done.Task.Within();

        await Bounded.Until(() => counter.Created - counter.Disposed == 1, "exactly one source stays live");
        Assert.Equal(502, counter.Created);
    }

    private TokenOwner CreateOwner(CallbackPlacement placement, SourceCounter? counter) => new(_context.Options(placement, counter));

    private static async Task ForwardAsync(ValueTask<CancellationToken> renew, TaskCompletionSource<CancellationToken> target)
    {
        try
        {
            target.SetResult(await renew);
        }
        catch (Exception ex)
        {
            target.SetException(ex);
        }
    }

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
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
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
    public async Task SynchronizationContext_CallbackDisposesOwnerSynchronously_NoDeadlock()
    {
        using var pump = new PumpContext();
        var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext, CallbackContext = pump });
        var token = await owner.RenewAsync().Within();
        token.Register(owner.Dispose);
        await Task.Run(async () => await owner.RenewAsync()).Within();
        await owner.Completion.Within();
    }

    public static TheoryData<CallbackPlacement> DispatchablePlacements() => new() { CallbackPlacement.Inline, CallbackPlacement.ThreadPool };

    [Theory]
    [MemberData(nameof(DispatchablePlacements))]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "3")]
    [Trait("Guarantee", "2")]
    public async Task Callback_RenewOnOwnSlot_QueuedAndBecomesLive(CallbackPlacement placement)
    {
        var factory = new TrackingFactory();
        var options = factory.Options();
        options.CallbackPlacement = placement;
        var owner = new TokenOwner(options);
        var first = await owner.RenewAsync().Within();
        Task<CancellationToken>? reentrant = null;
        first.Register(() => reentrant = owner.RenewAsync().AsTask());
        await owner.CancelAndDisposeAsync().Within();
        Assert.NotNull(reentrant);
        var token = await reentrant.Within();
        Assert.False(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(token));
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "7")]
    public async Task Callback_DisposeOnTimeout_NoDeadlockOwnerDisposed()
    {
        var time = new ManualTimeProvider();
        var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(10)).Within();
        token.Register(() => owner.Dispose());
        await Task.Run(() => time.Advance(TimeSpan.FromMilliseconds(30))).Within();
        await owner.Completion.Within();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await owner.RenewAsync());
    }

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "7")]
    public async Task Callback_DisposeOnLink_NoDeadlockOwnerDisposed()
    {
        using var link = new CancellationTokenSource();
        var owner = new TokenOwner();
        var token = await owner.RenewLinkedAsync(link.Token).Within();
        token.Register(() => owner.Dispose());
        await Task.Run(link.Cancel).Within();
        await owner.Completion.Within();
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
    public async Task Callback_DisposeDuringOwnerDispose_NoDeadlock()
    {
        var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        token.Register(() => owner.Dispose());
        await Task.Run(() => owner.Dispose()).Within();
        await owner.Completion.Within();
    }

    [Theory]
    [MemberData(nameof(DispatchablePlacements))]
    [Trait("Guarantee", "5")]
    public async Task Callback_EveryMemberOnOwnerAndSlots_NoDeadlockStateConsistent(CallbackPlacement placement)
    {
        var factory = new TrackingFactory();
        var options = factory.Options(new ManualTimeProvider());
        options.CallbackPlacement = placement;
        var owner = new TokenOwner(options);
        var slot = owner.CreateSlot();
        var retired = owner.CreateSlot();
        await retired.RenewAsync().Within();
        var first = await slot.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within();
        var calls = new Task[10];
        var isCurrentInside = true;
        first.Register(() =>
        {
            isCurrentInside = slot.IsCurrent(first);
            calls[0] = slot.TouchAsync(TimeSpan.FromMinutes(2)).AsTask();
            calls[1] = slot.RenewAfterAsync(TimeSpan.FromMinutes(1)).AsTask();
            calls[2] = slot.RenewLinkedAsync(Variants.LongLived.Token).AsTask();
            calls[3] = owner.CreateSlot().RenewOwnedAsync(factory.CreateForCaller()).AsTask();
            calls[4] = slot.CancelAndDisposeAsync().AsTask();
            calls[5] = retired.DisposeAsync().AsTask();
            calls[6] = owner.RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), Variants.LongLived.Token).AsTask();
            calls[7] = owner.TouchAsync(TimeSpan.FromMinutes(1)).AsTask();
            calls[8] = owner.CancelAllAsync().AsTask();
            calls[9] = slot.RenewAsync().AsTask();
        });
        await slot.CancelAndDisposeAsync().Within();
        Assert.False(isCurrentInside);
        await Task.WhenAll(calls).Within();
        var last = await ((Task<CancellationToken>)calls[9]).Within();
        Assert.True(slot.IsCurrent(last));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await retired.RenewAsync());
        await owner.DisposeAsync().Within();
        await owner.Completion.Within();
        factory.AssertAllEndedExactlyOnce();
    }
}
