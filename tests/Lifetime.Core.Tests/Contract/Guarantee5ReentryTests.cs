using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Contract;

/// <summary>Guarantee 5: a cancellation callback may call any owner or slot member; nothing deadlocks, no state is corrupted.</summary>
public sealed class Guarantee5ReentryTests
{
    public static TheoryData<CallbackPlacement> DispatchablePlacements() => new() { CallbackPlacement.Inline, CallbackPlacement.ThreadPool };

    [Theory]
    [MemberData(nameof(DispatchablePlacements))]
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

    [Theory]
    [MemberData(nameof(DispatchablePlacements))]
    public async Task Callback_RenewDuringRenew_BothCompleteAndReentrantWins(CallbackPlacement placement)
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = placement });
        var first = await owner.RenewAsync().Within();
        Task<CancellationToken>? reentrant = null;
        first.Register(() => reentrant = owner.RenewAsync().AsTask());
        var second = await owner.RenewAsync().Within();
        Assert.NotNull(reentrant);
        var third = await reentrant.Within();
        Assert.True(second.IsCancellationRequested);
        Assert.False(third.IsCancellationRequested);
        Assert.True(owner.IsCurrent(third));
    }

    [Theory]
    [MemberData(nameof(DispatchablePlacements))]
    public async Task Callback_CancelAll_EndsEverySlotAndOwnerStaysUsable(CallbackPlacement placement)
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = placement });
        var slot = owner.CreateSlot();
        var other = await slot.RenewAsync().Within();
        var first = await owner.RenewAsync().Within();
        Task? cancelAll = null;
        first.Register(() => cancelAll = owner.CancelAllAsync().AsTask());
        var renewed = await owner.RenewAsync().Within();
        Assert.NotNull(cancelAll);
        await cancelAll.Within();
        Assert.True(other.IsCancellationRequested);
        Assert.True(renewed.IsCancellationRequested);
        var after = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(after));
    }

    [Theory]
    [MemberData(nameof(DispatchablePlacements))]
    public async Task Callback_SyncDisposeOnOwnToken_NoDeadlockOwnerDisposed(CallbackPlacement placement)
    {
        var factory = new TrackingFactory();
        var options = factory.Options();
        options.CallbackPlacement = placement;
        var owner = new TokenOwner(options);
        var first = await owner.RenewAsync().Within();
        first.Register(() => owner.Dispose());
        var operation = Task.Run(async () => await owner.RenewAsync());
        var second = await operation.Within();
        await owner.Completion.Within();
        Assert.True(second.IsCancellationRequested);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await owner.RenewAsync());
        factory.AssertAllEndedExactlyOnce();
    }

    [Theory]
    [MemberData(nameof(DispatchablePlacements))]
    public async Task Callback_DisposeAsyncOnOwnToken_NoDeadlockOwnerDisposed(CallbackPlacement placement)
    {
        var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = placement });
        var first = await owner.RenewAsync().Within();
        Task? disposal = null;
        first.Register(() => disposal = owner.DisposeAsync().AsTask());
        await owner.CancelAndDisposeAsync().Within();
        Assert.NotNull(disposal);
        await disposal.Within();
        await owner.Completion.Within();
        Assert.Throws<ObjectDisposedException>(() => owner.CreateSlot());
    }

    [Fact]
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

    [Fact]
    public async Task Callback_RetireOwnSlotSynchronously_NoDeadlock()
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();
        token.Register(() => slot.Dispose());
        await Task.Run(async () => await slot.RenewAsync()).Within();

        // Any later message is processed behind the queued retirement.
        await owner.CancelAllAsync().Within();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await slot.RenewAsync());
    }
}
