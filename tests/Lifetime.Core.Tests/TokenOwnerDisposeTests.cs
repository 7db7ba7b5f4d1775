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
    public async Task Renew_AfterDispose_ThrowsObjectDisposed(string variant)
    {
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        await owner.DisposeAsync().Within();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => Variants.Renew(owner, variant).Within());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Variants.Renew(slot, variant).Within());
        Assert.Throws<ObjectDisposedException>(() => owner.CreateSlot());
    }

    [Fact]
    public async Task CleanupCalls_AfterDispose_AreHarmlessNoOps()
    {
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var token = await owner.RenewAsync().Within();
        await owner.DisposeAsync().Within();

        await owner.CancelAndDisposeAsync().Within();
        await owner.CancelAllAsync().Within();
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        Assert.False(await slot.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        await slot.CancelAndDisposeAsync().Within();
        await slot.DisposeAsync().Within();
        slot.Dispose();
        owner.Dispose();
        await owner.DisposeAsync().Within();
        owner.Dispose();

        Assert.False(owner.IsCurrent(token));
        await owner.Completion.Within();
    }

    [Fact]
    public async Task Dispose_CloseThenDestroyInEitherOrder_BothComplete()
    {
        var counter = new SourceCounter();
        var owner = new TokenOwner(counter.Options());
        await owner.RenewAsync().Within();

        await owner.CancelAndDisposeAsync().Within(); // Close()
        owner.Dispose(); // OnDestroy()
        await owner.CancelAndDisposeAsync().Within(); // a late Close()

        counter.AssertBalanced();
    }

    [Fact]
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
    public async Task Completion_BeforeDispose_Pending_AfterDispose_Completed()
    {
        var owner = new TokenOwner();
        await owner.RenewAsync().Within();

        Assert.False(owner.Completion.IsCompleted);
        await owner.DisposeAsync().Within();

        await owner.Completion.Within();
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }

    [Fact]
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

    [Fact]
    public async Task OuterToken_Cancelled_OwnerEndsItsLife()
    {
        var counter = new SourceCounter();
        using var outer = new CancellationTokenSource();
        var options = counter.Options();
        options.OuterToken = outer.Token;
        var owner = new TokenOwner(options);
        var token = await owner.RenewAsync().Within();
        var slotToken = await owner.CreateSlot().RenewAsync().Within();

        outer.Cancel();

        Assert.True(token.IsCancellationRequested);
        Assert.True(slotToken.IsCancellationRequested);
        await owner.Completion.Within();
        counter.AssertBalanced();
        Assert.True((await owner.RenewAsync().Within()).IsCancellationRequested);
    }

    [Fact]
    public async Task OuterToken_OwnerDisposedFirst_LaterCancelIsHarmless()
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        await owner.RenewAsync().Within();
        await owner.DisposeAsync().Within();

        outer.Cancel();

        await owner.Completion.Within();
    }

    [Fact]
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
}
