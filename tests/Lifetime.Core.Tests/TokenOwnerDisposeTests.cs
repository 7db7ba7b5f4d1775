using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

public sealed class TokenOwnerDisposeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    [Trait("Guarantee", "9")]
    public async Task Dispose_LiveTokensInEverySlot_AllCancelledAndEverySourceDisposed(bool async)
    {
        var counter = new SourceCounter();
        var time = new ManualTimeProvider();
        var owner = new TokenOwner(counter.Options(time));
        using var external = new CancellationTokenSource();
        var tokens = new List<CancellationToken>
        {
            await owner.RenewAfterAsync(TimeSpan.FromMinutes(5)).Within(),
            await owner.CreateSlot().RenewLinkedAsync(external.Token).Within(),
            await owner.CreateSlot().RenewOwnedAsync(counter.CreateForCaller()).Within(),
            await owner.CreateSlot().RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), external.Token).Within(),
            await owner.CreateSlot().RenewAsync().Within(),
        };

        if (async)
        {
            await owner.DisposeAsync().Within();
        }
        else
        {
            owner.Dispose();
        }

        Assert.All(tokens, t => Assert.True(t.IsCancellationRequested));
        Assert.All(tokens, t => Assert.False(owner.IsCurrent(t)));
        counter.AssertBalanced();
        Assert.Equal(0, time.ArmedTimers);
        await owner.Completion.Within();
    }

    [Theory]
    [MemberData(nameof(Variants.Renews), MemberType = typeof(Variants))]
    [Trait("Guarantee", "7")]
    public async Task Renew_AfterDispose_ThrowsObjectDisposed(string variant)
    {
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        await owner.DisposeAsync().Within();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => Variants.Renew(owner, variant).Within());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Variants.Renew(slot, variant).Within());
        Assert.Throws<ObjectDisposedException>(() => owner.CreateSlot());
        await slot.DisposeAsync().Within();
        Assert.False(await slot.TouchAsync(TimeSpan.FromSeconds(1)).Within());
    }

    [Fact]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Dispose_ConcurrentFromManyThreads_AllReturnAfterDisposal()
    {
        var counter = new SourceCounter();
        var owner = new TokenOwner(counter.Options());
        var token = await owner.RenewAsync().Within();
        using var start = new Barrier(4);

        await Task.WhenAll(TokenOwnerRenewTests.Enumerate(4, async i =>
        {
            start.SignalAndWait(Bounded.Limit);
            if (i % 2 == 0)
            {
                owner.Dispose();
            }
            else
            {
                await owner.DisposeAsync();
            }

            Assert.True(token.IsCancellationRequested);
        })).Within();

        counter.AssertBalanced();
    }

    /// <summary>
    /// A synchronous Dispose whose caller found the owner idle drains on after its own reply; when every
    /// processed message posts the next one, it must still hand the stream on and return.
    /// </summary>
    [Fact]
    [Trait("Guarantee", "7")]
    public async Task SlotDispose_CallerDrainsEndlessStreamAfterItsReply_ReturnsAnyway()
    {
        var owner = new TokenOwner();
        var pump = owner.CreateSlot();
        var victim = owner.CreateSlot();
        var stop = 0;
        var pumped = 0;
        Action? next = null;
        next = () =>
        {
            if (Volatile.Read(ref stop) == 1)
            {
                return;
            }

            // Each renew ends the previous token, whose callback sends the next renew: the mailbox never empties.
            Interlocked.Increment(ref pumped);
            var source = new CancellationTokenSource();
            source.Token.Register(next!);
            _ = pump.RenewOwnedAsync(source);
        };
        var first = new CancellationTokenSource();
        first.Token.Register(next);
        await pump.RenewOwnedAsync(first).Within();
        var doomed = await victim.RenewAsync().Within();
        doomed.Register(next);

        var disposer = new Thread(victim.Dispose) { IsBackground = true };
        disposer.Start();
        var returned = disposer.Join(Bounded.Limit);
        Volatile.Write(ref stop, 1);
        Assert.True(returned || disposer.Join(Bounded.Limit), "Dispose never returned even after the stream stopped.");
        Assert.True(returned, $"Dispose returned only after the stream stopped ({Volatile.Read(ref pumped)} messages drained).");
        Assert.True(doomed.IsCancellationRequested);
        await owner.DisposeAsync().Within();
    }

    [Fact]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Requests_SentBeforeDispose_CompleteNormallyThenTheirTokensAreCancelled()
    {
        var counter = new SourceCounter();
        var owner = new TokenOwner(counter.Options());
        var slots = new[] { owner.CreateSlot(), owner.CreateSlot(), owner.CreateSlot() };
        var queued = new List<ValueTask<CancellationToken>>();
        ValueTask disposal = default;
        var trigger = await owner.RenewAsync().Within();

        // The callback runs on the processing path, so everything it sends is queued behind the current
        // message: the renews first, then the disposal.
        trigger.Register(() =>
        {
            foreach (var slot in slots)
            {
                queued.Add(slot.RenewAsync());
            }

            disposal = owner.DisposeAsync();
        });
        await owner.CancelAndDisposeAsync().Within();
        await disposal.Within();

        foreach (var renew in queued)
        {
            var token = await renew.Within();
            Assert.True(token.IsCancellationRequested);
        }

        counter.AssertBalanced();
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task Requests_SentAfterDisposeFromCallback_FailWithObjectDisposed()
    {
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var trigger = await owner.RenewAsync().Within();
        ValueTask<CancellationToken> late = default;
        Exception? thrown = null;
        trigger.Register(() =>
        {
            owner.Dispose();
            try
            {
                late = slot.RenewAsync();
            }
            catch (ObjectDisposedException ex)
            {
                thrown = ex;
            }
        });

        await owner.CancelAndDisposeAsync().Within();
        await owner.Completion.Within();

        Assert.NotNull(thrown);
        Assert.Equal(default, late);
    }

    [Fact]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Dispose_RacingRenewsFromManyThreads_EveryRenewSucceedsOrFailsCleanly()
    {
        for (var round = 0; round < 20; round++)
        {
            var counter = new SourceCounter();
            var owner = new TokenOwner(counter.Options());
            var outcomes = new int[2];
            var tasks = TokenOwnerRenewTests.Enumerate(4, async i =>
            {
                for (var n = 0; n < 200; n++)
                {
                    try
                    {
                        var token = await (i == 0 ? owner.RenewAsync() : owner.CreateSlot().RenewAsync());
                        Interlocked.Increment(ref outcomes[0]);
                    }
                    catch (ObjectDisposedException)
                    {
                        Interlocked.Increment(ref outcomes[1]);
                        return;
                    }
                }
            });
            await Task.Delay(1);
            await owner.DisposeAsync().Within();
            await Task.WhenAll(tasks).Within();
            await owner.Completion.Within();

            counter.AssertBalanced();
            Assert.True(outcomes[0] + outcomes[1] > 0);
        }
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task DisposeAsync_RacingUnawaitedRenews_NeverHangs()
    {
        for (var round = 0; round < 2_000; round++)
        {
            var owner = new TokenOwner();
            using var start = new Barrier(3);
            var renewers = new Task[2];
            for (var n = 0; n < renewers.Length; n++)
            {
                renewers[n] = Task.Run(() =>
                {
                    start.SignalAndWait(Bounded.Limit);
                    for (var i = 0; i < 10; i++)
                    {
                        try
                        {
                            _ = owner.RenewAsync().AsTask();
                        }
                        catch (ObjectDisposedException)
                        {
                        }
                    }
                });
            }

            start.SignalAndWait(Bounded.Limit);
            await owner.DisposeAsync().Within();
            await Task.WhenAll(renewers).Within();
            await owner.Completion.Within();
        }
    }

    [Fact]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Completion_ProcessingPathFails_FaultsAndOwnerDisposesItself()
    {
        var time = new ThrowingTimeProvider();
        var counter = new SourceCounter();
        var owner = new TokenOwner(counter.Options(time));
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();
        var failing = await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within();
        time.Throw = true;

        var failure = await Assert.ThrowsAsync<TimeZoneNotFoundException>(() => owner.RenewAfterAsync(TimeSpan.FromSeconds(1)).Within());

        var fault = await Assert.ThrowsAsync<TimeZoneNotFoundException>(() => owner.Completion.Within());
        Assert.Same(failure, fault);
        Assert.True(token.IsCancellationRequested);
        Assert.True(failing.IsCancellationRequested, "The token of the slot whose request failed was left live.");
        counter.AssertBalanced();
        Assert.Throws<ObjectDisposedException>(() => { _ = owner.RenewAsync(); });
        await owner.DisposeAsync().Within();
        await owner.CancelAllAsync().Within();
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Completion_ClockFailsAfterPreviousTokenTaken_PreviousSourceStillEnded(CallbackPlacement placement)
    {
        // A renew without a timeout reads the clock only when it tells the wheel that the previous
        // token's deadline is gone, after it has taken that token out of its slot.
        var time = new ThrowingTimeProvider();
        var counter = new SourceCounter();
        var options = counter.Options(time);
        options.CallbackPlacement = placement;
        var owner = new TokenOwner(options);
        var previous = await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within();
        time.Throw = true;

        await Assert.ThrowsAsync<TimeZoneNotFoundException>(() => owner.RenewAsync().Within());

        await Assert.ThrowsAsync<TimeZoneNotFoundException>(() => owner.Completion.Within());
        Assert.True(previous.IsCancellationRequested);
        counter.AssertBalanced();
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline, false)]
    [InlineData(CallbackPlacement.Inline, true)]
    [InlineData(CallbackPlacement.ThreadPool, false)]
    [InlineData(CallbackPlacement.ThreadPool, true)]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Dispose_ClockFailsWhileTheDisposalEndsTokens_EveryTokenEndsAndCompletionFaults(CallbackPlacement placement, bool synchronous)
    {
        // Ending a token with a deadline tells the wheel, which reads the clock: it fails for the first
        // slot the disposal ends, and the others must end all the same.
        var time = new ThrowingTimeProvider();
        var counter = new SourceCounter();
        var options = counter.Options(time);
        options.CallbackPlacement = placement;
        var owner = new TokenOwner(options);
        var tokens = new[]
        {
            await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within(),
            await owner.CreateSlot().RenewAfterAsync(TimeSpan.FromMinutes(1)).Within(),
            await owner.CreateSlot().RenewAfterAsync(TimeSpan.FromMinutes(1)).Within(),
            await owner.CreateSlot().RenewAsync().Within(),
        };
        time.Throw = true;

        if (synchronous)
        {
            await Task.Run(owner.Dispose).Within();
        }
        else
        {
            await owner.DisposeAsync().Within();
        }

        await Assert.ThrowsAsync<TimeZoneNotFoundException>(() => owner.Completion.Within());
        Assert.All(tokens, token => Assert.True(token.IsCancellationRequested, "A token outlived the disposal."));
        counter.AssertBalanced();
        await Task.Run(owner.Dispose).Within();
        await owner.DisposeAsync().Within();
        Assert.Throws<ObjectDisposedException>(() => owner.Renew());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Completion_ClockFailsInAPlainRenewOfAnIdleOwner_CallerGetsTheFailureAndEveryTokenEnds(bool synchronous)
    {
        // No source factory, Inline placement, default policy: the renew an idle owner's caller runs without
        // an operation. Its clock read (telling the wheel the previous deadline is gone) fails after the new
        // source is installed.
        var time = new ThrowingTimeProvider();
        var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var other = await owner.CreateSlot().RenewAsync().Within();
        var previous = await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within();
        time.Throw = true;

        var failure = synchronous
            ? Assert.Throws<TimeZoneNotFoundException>(() => owner.Renew())
            : await Assert.ThrowsAsync<TimeZoneNotFoundException>(() => owner.RenewAsync().Within());

        var fault = await Assert.ThrowsAsync<TimeZoneNotFoundException>(() => owner.Completion.Within());
        Assert.Same(failure, fault);
        Assert.True(previous.IsCancellationRequested);
        Assert.True(other.IsCancellationRequested);
        Assert.Equal(TokenEndCause.Renewed, owner.GetEndCause(previous));
        Assert.Throws<ObjectDisposedException>(() => owner.Renew());
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task Slot_Retired_RenewFailsAndOthersKeepWorking()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());
        var slot = owner.CreateSlot();
        var other = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();
        var otherToken = await other.RenewAsync().Within();

        await slot.DisposeAsync().Within();

        Assert.True(token.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => { _ = slot.RenewAsync(); });
        Assert.False(await slot.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        await slot.CancelAndDisposeAsync().Within();
        slot.Dispose();
        Assert.True(other.IsCurrent(otherToken));
        Assert.Equal(counter.Created - 1, counter.Disposed);
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task Slot_RetiredWhileRenewQueued_RenewFailsWithObjectDisposed()
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var trigger = await owner.RenewAsync().Within();
        ValueTask<CancellationToken> queued = default;
        trigger.Register(() =>
        {
            queued = slot.RenewAsync();
            slot.Dispose();
        });

        await owner.CancelAndDisposeAsync().Within();

        var token = await queued.Within();
        Assert.True(token.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => { _ = slot.RenewAsync(); });
    }


    private sealed class ThrowingTimeProvider : TimeProvider
    {
        public volatile bool Throw;

        public override long GetTimestamp() => Throw ? throw new TimeZoneNotFoundException("clock broke") : base.GetTimestamp();
    }

    [Fact]
    [Trait("Guarantee", "7")]
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
    [Trait("Guarantee", "7")]
    public async Task DisposeAsync_SecondCallWhileFirstInProgress_WaitsForSameCompletion()
    {
        var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        using var hold = PathHold.On(token);
        var first = Task.Run(async () => await owner.DisposeAsync());
        await hold.Entered;
        var second = owner.DisposeAsync().AsTask();
        Assert.False(second.IsCompleted);
        hold.Release();

        await first.Within();
        await second.Within();
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task RenewAsync_AfterDisposeRequestedWhilePathBusy_ThrowsObjectDisposedAtCallSite()
    {
        var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        using var hold = PathHold.On(token);
        var slot = owner.CreateSlot();
        var busy = Task.Run(async () => await owner.CancelAndDisposeAsync());
        await hold.Entered;
        var disposal = owner.DisposeAsync().AsTask();
        Assert.False(disposal.IsCompleted);
        Assert.Throws<ObjectDisposedException>(() => { _ = owner.RenewAsync(); });
        Assert.Throws<ObjectDisposedException>(() => { _ = slot.RenewAfterAsync(TimeSpan.FromSeconds(1)); });
        Assert.Throws<ObjectDisposedException>(() => owner.CreateSlot());
        var cancelAll = owner.CancelAllAsync().AsTask();
        var touch = owner.TouchAsync(TimeSpan.FromSeconds(1)).AsTask();
        hold.Release();

        await busy.Within();
        await disposal.Within();
        await cancelAll.Within();
        Assert.False(await touch.Within());
    }

    [Fact]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task RenewOwnedAsync_RacingDispose_SuccessMeansOwnedFailureMeansDisposedUncancelled()
    {
        for (var round = 0; round < 200; round++)
        {
            var owner = new TokenOwner();
            var sources = new TrackedSource[8];
            var outcomes = new Task<CancellationToken>[sources.Length];
            using var start = new Barrier(2);
            var renewer = Task.Run(() =>
            {
                start.SignalAndWait(Bounded.Limit);
                for (var i = 0; i < sources.Length; i++)
                {
                    sources[i] = new TrackedSource();
                    TokenSlot slot;
                    try
                    {
                        slot = owner.CreateSlot();
                    }
                    catch (ObjectDisposedException)
                    {
                        // The source was never handed over: it stays the caller's.
                        sources[i].Dispose();
                        outcomes[i] = Task.FromException<CancellationToken>(new ObjectDisposedException("slot"));
                        continue;
                    }

                    try
                    {
                        outcomes[i] = slot.RenewOwnedAsync(sources[i]).AsTask();
                    }
                    catch (ObjectDisposedException e)
                    {
                        outcomes[i] = Task.FromException<CancellationToken>(e);
                    }
                }
            });
            start.SignalAndWait(Bounded.Limit);
            await owner.DisposeAsync().Within();
            await renewer.Within();
            for (var i = 0; i < sources.Length; i++)
            {
                var outcome = await Record.ExceptionAsync(() => outcomes[i].Within());
                if (outcome is null)
                {
                    Assert.Equal(1, sources[i].DisposeCalls);
                    Assert.Equal(1, sources[i].CancelledBeforeDispose);
                }
                else
                {
                    // Refused by the disposal: ownership passed with the call, so the owner disposed it.
                    Assert.IsType<ObjectDisposedException>(outcome);
                    Assert.Equal(1, sources[i].DisposeCalls);
                    Assert.False(sources[i].IsCancellationRequested);
                }
            }
        }
    }

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

    [Theory]
    [MemberData(nameof(RenewVariants))]
    [Trait("Guarantee", "7")]
    public async Task Renew_EveryVariantAfterDispose_ThrowsObjectDisposedAtCallSite(string variant)
    {
        var owner = await DisposedOwnerAsync(async: false);
        Assert.Throws<ObjectDisposedException>(() => { _ = Variants.Renew(owner, variant); });
    }

    [Theory]
    [MemberData(nameof(RenewVariants))]
    [Trait("Guarantee", "7")]
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
    [Trait("Guarantee", "7")]
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
    [Trait("Guarantee", "7")]
    public async Task Renew_SlotNeverRenewedThenRetired_ThrowsObjectDisposed()
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        slot.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await slot.RenewAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task RenewOwnedAsync_AfterDispose_SourceDisposedNotLeaked(bool async)
    {
        var owner = await DisposedOwnerAsync(async);
        var source = new TrackedSource();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await owner.RenewOwnedAsync(source));
        Assert.False(source.IsCancellationRequested);
        Assert.Equal(1, source.DisposeCalls);
    }

    [Fact]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
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
    [Trait("Guarantee", "7")]
    public async Task CleanupCalls_AfterDispose_HarmlessNoOpsInAnyOrderAnyNumberOfTimes()
    {
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        await slot.RenewAsync().Within();
        var token = await owner.RenewAsync().Within();
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

        Assert.False(owner.IsCurrent(token));
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task CancelAndDisposeThenDispose_CloseThenOnDestroy_BothComplete()
    {
        var counter = new SourceCounter();
        var owner = new TokenOwner(counter.Options());
        var token = await owner.RenewAsync().Within();
        await owner.CancelAndDisposeAsync().Within(); // Close()
        Assert.True(token.IsCancellationRequested);
        owner.Dispose(); // OnDestroy()
        await owner.CancelAndDisposeAsync().Within(); // a late Close()
        await owner.Completion.Within();
        counter.AssertBalanced();
    }

    [Fact]
    [Trait("Guarantee", "7")]
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
    [Trait("Guarantee", "7")]
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
    [Trait("Guarantee", "7")]
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
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task RequestsSentBeforeDispose_CompleteNormallyThenTokensCancelled()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var blocker = await owner.RenewAsync().Within();
        using var hold = PathHold.On(blocker);
        var slot = owner.CreateSlot();
        var busy = Task.Run(async () => await owner.CancelAndDisposeAsync());
        await hold.Entered;

        // The processing path is busy inside the callback: these are queued, then the disposal.
        Task<CancellationToken>[] queued =
        [
            owner.RenewAsync().AsTask(),
            slot.RenewAfterAsync(TimeSpan.FromMinutes(1)).AsTask(),
            owner.CreateSlot().RenewLinkedAsync(Variants.LongLived.Token).AsTask(),
            owner.CreateSlot().RenewOwnedAsync(factory.CreateForCaller()).AsTask(),
        ];
        var disposal = owner.DisposeAsync().AsTask();
        Assert.All(queued, request => Assert.False(request.IsCompleted));
        Assert.False(disposal.IsCompleted);
        hold.Release();

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
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
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
    [Trait("Guarantee", "7")]
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
    [Trait("Guarantee", "7")]
    public async Task Completion_OwnerNeverUsed_CompletesOnDispose()
    {
        var owner = new TokenOwner();
        owner.Dispose();
        await owner.Completion.Within();
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task DisposeAsync_FromTestThreadWhileOtherCallerBusy_Completes()
    {
        var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        using var hold = PathHold.On(token);
        var busy = Task.Run(async () => await owner.RenewAsync());
        await hold.Entered;
        var disposal = owner.DisposeAsync().AsTask();
        Assert.False(disposal.IsCompleted);
        hold.Release();
        await disposal.Within();
        var renewed = await busy.Within();
        Assert.True(renewed.IsCancellationRequested);
    }
}
