using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Contract;

/// <summary>Guarantee 7: disposal. Earlier requests complete; later renews fail; cleanup calls are no-ops; nothing hangs.</summary>
public sealed class Guarantee7DisposalTests
{
    public static IEnumerable<object[]> RenewVariants() => Variants.Renews();

    private static async Task<TokenOwner> DisposedOwnerAsync(bool async)
    {
        var owner = new TokenOwner();
        await owner.RenewAsync().Within();
        if (async)
        {
            await owner.DisposeAsync().Within();
        }
        else
        {
            owner.Dispose();
        }

        return owner;
    }

    [Fact]
    public async Task DisposeAsync_LiveTokensOfEverySlot_AllCancelled()
    {
        var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });
        using var link = new CancellationTokenSource();
        var tokens = new[]
        {
            await owner.RenewAsync().Within(),
            await owner.CreateSlot().RenewAfterAsync(TimeSpan.FromMinutes(1)).Within(),
            await owner.CreateSlot().RenewLinkedAsync(link.Token).Within(),
            await owner.CreateSlot().RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), link.Token).Within(),
            await owner.CreateSlot().RenewOwnedAsync(new CancellationTokenSource()).Within(),
        };
        await owner.DisposeAsync().Within();
        foreach (var token in tokens)
        {
            Assert.True(token.IsCancellationRequested);
            Assert.False(owner.IsCurrent(token));
        }

        Assert.True(owner.Completion.IsCompleted);
    }

    [Fact]
    public async Task Dispose_Synchronous_AllTokensCancelledWhenItReturns()
    {
        var owner = new TokenOwner();
        var a = await owner.RenewAsync().Within();
        var b = await owner.CreateSlot().RenewAsync().Within();
        await Task.Run(owner.Dispose).Within();
        Assert.True(a.IsCancellationRequested);
        Assert.True(b.IsCancellationRequested);
        await owner.Completion.Within();
    }

    [Theory]
    [MemberData(nameof(RenewVariants))]
    public async Task Renew_EveryVariantAfterDisposeAsync_ThrowsObjectDisposed(string variant)
    {
        var owner = await DisposedOwnerAsync(async: true);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await Variants.Renew(owner, variant));
    }

    [Theory]
    [MemberData(nameof(RenewVariants))]
    public async Task Renew_EveryVariantAfterDispose_ThrowsObjectDisposedAtCallSite(string variant)
    {
        var owner = await DisposedOwnerAsync(async: false);
        Assert.Throws<ObjectDisposedException>(() => { _ = Variants.Renew(owner, variant); });
    }

    [Theory]
    [MemberData(nameof(RenewVariants))]
    public async Task Renew_EveryVariantOnSlotOfDisposedOwner_ThrowsObjectDisposed(string variant)
    {
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        await slot.RenewAsync().Within();
        await owner.DisposeAsync().Within();
        Assert.Throws<ObjectDisposedException>(() => { _ = Variants.Renew(slot, variant); });
    }

    [Theory]
    [MemberData(nameof(RenewVariants))]
    public async Task Renew_EveryVariantOnRetiredSlot_ThrowsObjectDisposed(string variant)
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();
        await slot.DisposeAsync().Within();
        Assert.True(token.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => { _ = Variants.Renew(slot, variant); });

        // The owner and its other slots are unaffected.
        var other = await Variants.Renew(owner.CreateSlot(), variant).Within();
        Assert.False(other.IsCancellationRequested);
    }

    [Fact]
    public async Task Renew_SlotNeverRenewedThenRetired_ThrowsObjectDisposed()
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        slot.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await slot.RenewAsync());
    }

    [Fact]
    public async Task CreateSlot_AfterDispose_ThrowsObjectDisposed()
    {
        var owner = await DisposedOwnerAsync(async: true);
        Assert.Throws<ObjectDisposedException>(() => owner.CreateSlot());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RenewOwnedAsync_AfterDispose_SourceDisposedNotLeaked(bool async)
    {
        var owner = await DisposedOwnerAsync(async);
        var source = new TrackedSource();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await owner.RenewOwnedAsync(source));
        Assert.False(source.IsCancellationRequested);
        Assert.Equal(1, source.DisposeCalls);
    }

    [Fact]
    public async Task RenewOwnedAsync_OnRetiredSlot_SourceDisposedNotLeaked()
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        await slot.DisposeAsync().Within();
        var source = new TrackedSource();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await slot.RenewOwnedAsync(source));
        Assert.False(source.IsCancellationRequested);
        Assert.Equal(1, source.DisposeCalls);
    }

    [Fact]
    public async Task CleanupCalls_AfterDispose_HarmlessNoOpsInAnyOrderAnyNumberOfTimes()
    {
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        await slot.RenewAsync().Within();
        await owner.RenewAsync().Within();
        await owner.DisposeAsync().Within();
        for (var round = 0; round < 3; round++)
        {
            await owner.CancelAndDisposeAsync().Within();
            await owner.CancelAllAsync().Within();
            owner.Dispose();
            await owner.DisposeAsync().Within();
            Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
            await slot.CancelAndDisposeAsync().Within();
            slot.Dispose();
            await slot.DisposeAsync().Within();
            Assert.False(await slot.TouchAsync(TimeSpan.FromSeconds(1)).Within());
            await owner.DisposeAsync().Within();
            await owner.CancelAllAsync().Within();
        }

        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task CancelAndDisposeThenDispose_CloseThenOnDestroy_BothComplete()
    {
        var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        await owner.CancelAndDisposeAsync().Within();
        Assert.True(token.IsCancellationRequested);
        owner.Dispose();
        await owner.Completion.Within();
    }

    [Fact]
    public async Task DisposeThenCancelAndDispose_OnDestroyThenClose_BothComplete()
    {
        var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        owner.Dispose();
        await owner.CancelAndDisposeAsync().Within();
        _ = owner.CancelAndDisposeAsync(); // fire-and-forget, as in the README's Close()
        Assert.True(token.IsCancellationRequested);
        await owner.Completion.Within();
    }

    [Fact]
    public async Task SlotDispose_AfterOwnerDispose_NoOp()
    {
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        await slot.RenewAsync().Within();
        owner.Dispose();
        slot.Dispose();
        await slot.DisposeAsync().Within();
        await slot.CancelAndDisposeAsync().Within();
    }

    [Fact]
    public async Task SlotDispose_Twice_NoOpAndOwnerStaysUsable()
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        await slot.RenewAsync().Within();
        await slot.DisposeAsync().Within();
        slot.Dispose();
        await slot.DisposeAsync().Within();
        await slot.CancelAndDisposeAsync().Within();
        Assert.False(await slot.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        var token = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(token));
    }

    [Fact]
    public async Task RequestsSentBeforeDispose_CompleteNormallyThenTokensCancelled()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var blocker = await owner.RenewAsync().Within();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        blocker.Register(() =>
        {
            entered.Set();
            release.Wait(Bounded.Limit);
        });
        var slot = owner.CreateSlot();
        var busy = Task.Run(async () => await owner.CancelAndDisposeAsync());
        await Task.Run(() => entered.Wait(Bounded.Limit)).Within();

        // The processing path is busy inside the callback: these are queued, then the disposal.
        Task<CancellationToken>[] queued;
        Task disposal;
        try
        {
            queued =
            [
                owner.RenewAsync().AsTask(),
                slot.RenewAfterAsync(TimeSpan.FromMinutes(1)).AsTask(),
                owner.CreateSlot().RenewLinkedAsync(Variants.LongLived.Token).AsTask(),
                owner.CreateSlot().RenewOwnedAsync(factory.CreateForCaller()).AsTask(),
            ];
            disposal = owner.DisposeAsync().AsTask();
        }
        finally
        {
            release.Set();
        }

        await busy.Within();
        await Task.WhenAll(queued).Within();
        await disposal.Within();
        foreach (var request in queued)
        {
            Assert.True((await request.Within()).IsCancellationRequested);
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await owner.RenewAsync());
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    public async Task Dispose_ConcurrentFromManyThreads_AllComplete()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        for (var i = 0; i < 10; i++)
        {
            await owner.CreateSlot().RenewAsync().Within();
        }

        using var start = new Barrier(6);
        var disposers = new Task[6];
        for (var i = 0; i < disposers.Length; i++)
        {
            var sync = i % 2 == 0;
            disposers[i] = Task.Factory.StartNew(
                async () =>
                {
                    start.SignalAndWait(Bounded.Limit);
                    if (sync)
                    {
                        owner.Dispose();
                    }
                    else
                    {
                        await owner.DisposeAsync();
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap();
        }

        await Task.WhenAll(disposers).Within();
        await owner.Completion.Within();
        Assert.Equal(10, factory.Disposed);
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    public async Task NoAwaiterHangs_RenewStormRacingDispose_EveryCallCompletesOrThrowsObjectDisposed()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options(new ManualTimeProvider()));
        var slots = new[] { owner.CreateSlot(), owner.CreateSlot() };
        var outcomes = new Task[4];
        using var start = new Barrier(outcomes.Length + 1);
        for (var w = 0; w < outcomes.Length; w++)
        {
            var worker = w;
            outcomes[w] = Task.Factory.StartNew(
                async () =>
                {
                    start.SignalAndWait(Bounded.Limit);
                    var slot = slots[worker % 2];
                    for (var i = 0; i < 2000; i++)
                    {
                        try
                        {
                            switch (i % 5)
                            {
                                case 0:
                                    await slot.RenewAsync();
                                    break;
                                case 1:
                                    await slot.RenewAfterAsync(TimeSpan.FromMinutes(1));
                                    break;
                                case 2:
                                    await slot.TouchAsync(TimeSpan.FromMinutes(2));
                                    break;
                                case 3:
                                    await owner.CancelAllAsync();
                                    break;
                                default:
                                    await slot.RenewLinkedAsync(Variants.LongLived.Token);
                                    break;
                            }
                        }
                        catch (ObjectDisposedException)
                        {
                            return;
                        }
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap();
        }

        start.SignalAndWait(Bounded.Limit);
        await Bounded.Until(() => factory.Created > 50, "the storm is under way");
        await owner.DisposeAsync().Within();
        await Task.WhenAll(outcomes).Within();
        await owner.Completion.Within();
        Assert.Equal(factory.Created, factory.Disposed);
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    public async Task Completion_BeforeDispose_NotCompletedAfterDisposeCompleted()
    {
        var owner = new TokenOwner();
        await owner.RenewAsync().Within();
        Assert.False(owner.Completion.IsCompleted);
        await owner.CancelAllAsync().Within();
        Assert.False(owner.Completion.IsCompleted);
        await owner.DisposeAsync().Within();
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Completion_OwnerNeverUsed_CompletesOnDispose()
    {
        var owner = new TokenOwner();
        owner.Dispose();
        await owner.Completion.Within();
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task DisposeAsync_FromTestThreadWhileOtherCallerBusy_Completes()
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
        var busy = Task.Run(async () => await owner.RenewAsync());
        await Task.Run(() => entered.Wait(Bounded.Limit)).Within();
        var disposal = owner.DisposeAsync().AsTask();
        Assert.False(disposal.IsCompleted);
        release.Set();
        await disposal.Within();
        var renewed = await busy.Within();
        Assert.True(renewed.IsCancellationRequested);
    }
}
