using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary>
/// Nothing leaks: sources, registrations, timers, and the owner itself. These tests read process-wide state
/// (Timer.ActiveCount, garbage collections), so they run alone.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class TokenOwnerLeakTests
{
    [Fact]
    [Trait("Guarantee", "9")]
    [Trait("Guarantee", "2")]
    public async Task DisposeAsync_AfterMixedWorkload_EverySourceDisposedExactlyOnce()
    {
        var counter = new SourceCounter();
        var time = new ManualTimeProvider();
        var owner = new TokenOwner(counter.Options(time));
        using var external = new CancellationTokenSource();
        using var longLived = new CancellationTokenSource();
        var slots = new List<TokenSlot>();
        for (var i = 0; i < 10; i++)
        {
            slots.Add(owner.CreateSlot());
        }

        for (var round = 0; round < 50; round++)
        {
            var slot = slots[round % slots.Count];
            switch (round % 6)
            {
                case 0:
                    await slot.RenewAsync().Within();
                    break;
                case 1:
                    await slot.RenewAfterAsync(TimeSpan.FromMilliseconds(round * 10)).Within();
                    break;
                case 2:
                    await slot.RenewLinkedAsync(external.Token, longLived.Token).Within();
                    break;
                case 3:
                    await slot.RenewLinkedAfterAsync(TimeSpan.FromSeconds(round), longLived.Token).Within();
                    break;
                case 4:
                    await slot.RenewOwnedAsync(counter.CreateForCaller()).Within();
                    break;
                default:
                    await slot.TouchAsync(TimeSpan.FromMilliseconds(5)).Within();
                    break;
            }

            time.Advance(TimeSpan.FromMilliseconds(7));
        }

        await slots[3].DisposeAsync().Within();
        await owner.DisposeAsync().Within();

        counter.AssertBalanced();
        Assert.Equal(0, time.ArmedTimers);
        Assert.Equal((0, false), owner.Wheel.Snapshot);
    }

    [Fact]
    [Trait("Guarantee", "9")]
    public async Task DisposeAsync_SystemClockDeadlines_TimerActiveCountBackToStart()
    {
        // A fresh TimeProvider, so that its wheel's timer is ours alone.
        var time = new SystemClock();
        var before = Timer.ActiveCount;
        var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        for (var i = 0; i < 100; i++)
        {
            await owner.CreateSlot().RenewAfterAsync(TimeSpan.FromMinutes(30)).Within();
        }

        Assert.Equal(before + 1, Timer.ActiveCount);
        await owner.DisposeAsync().Within();

        Assert.Equal(before, Timer.ActiveCount);
    }

    [Fact]
    [Trait("Guarantee", "9")]
    public async Task DisposedOwner_OuterRegistrationRemoved()
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        var registration = owner.OuterRegistrationForTests;
        Assert.Equal(outer.Token, registration.Token);

        await owner.DisposeAsync().Within();

        Assert.False(registration.Unregister(), "The owner left its registration on the outer token.");
    }

    private sealed class SystemClock : TimeProvider
    {
    }

    [Fact]
    [Trait("Guarantee", "9")]
    [Trait("Guarantee", "2")]
    public async Task DisposeAsync_EveryPathUsed_SourcesCreatedEqualSourcesDisposed()
    {
        var time = new ManualTimeProvider();
        var factory = new TrackingFactory();
        using var link = new CancellationTokenSource();
        using var longLived = new CancellationTokenSource();
        var owner = new TokenOwner(factory.Options(time));
        var slots = new[] { owner.CreateSlot(), owner.CreateSlot(), owner.CreateSlot() };
        for (var i = 0; i < 50; i++)
        {
            await owner.RenewAsync().Within();
            await slots[0].RenewAfterAsync(TimeSpan.FromMilliseconds(5 + i)).Within();
            await slots[1].RenewLinkedAsync(longLived.Token).Within();
            await slots[2].RenewLinkedAfterAsync(TimeSpan.FromSeconds(1), longLived.Token).Within();
            await owner.CreateSlot().RenewOwnedAsync(factory.CreateForCaller()).Within();
            time.Advance(TimeSpan.FromMilliseconds(3));
            if (i % 7 == 0)
            {
                await owner.CancelAllAsync().Within();
            }
        }

        var linked = await owner.CreateSlot().RenewLinkedAsync(link.Token).Within();
        link.Cancel();
        await Bounded.Cancelled(linked);
        await owner.DisposeAsync().Within();
        Assert.Equal(factory.Created, factory.Disposed);
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "9")]
    [Trait("Guarantee", "4")]
    public async Task DisposeAsync_LinkedTokens_NoRegistrationLeftOnExternalTokens()
    {
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(new TokenOwnerOptions { OuterToken = outer.Token });
        var before = Registrations.Count(outer);
        Assert.True(before >= 1, "the owner registers on its outer token");
        for (var i = 0; i < 20; i++)
        {
            await owner.RenewLinkedAsync(a.Token, b.Token).Within();
            await owner.CreateSlot().RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), a.Token).Within();
        }

        Assert.InRange(Registrations.Count(b), 1, 1);
        await owner.DisposeAsync().Within();
        Assert.Equal(0, Registrations.Count(a));
        Assert.Equal(0, Registrations.Count(b));
        Assert.Equal(0, Registrations.Count(outer));
    }

    [Fact]
    [Trait("Guarantee", "9")]
    public async Task DisposeAsync_ArmedDeadlines_NoTimerLeftArmed()
    {
        var time = new ManualTimeProvider();
        var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        await owner.RenewAfterAsync(TimeSpan.FromMinutes(5)).Within();
        await owner.CreateSlot().RenewLinkedAfterAsync(TimeSpan.FromSeconds(5), Variants.LongLived.Token).Within();
        Assert.True(time.ArmedTimers >= 1);
        await owner.DisposeAsync().Within();

        // The wheel may notice on its next tick that nothing is armed.
        time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(0, time.ArmedTimers);
        var firings = time.Firings;
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(firings, time.Firings);
    }

    [Fact]
    [Trait("Guarantee", "9")]
    [Trait("Guarantee", "4")]
    public async Task RenewAfterAsync_SystemClockManyTokens_NoTimerPerToken()
    {
        var owners = new TokenOwner[100];
        for (var i = 0; i < owners.Length; i++)
        {
            owners[i] = new TokenOwner();
        }

        var before = Timer.ActiveCount;
        for (var i = 0; i < owners.Length; i++)
        {
            await owners[i].RenewAfterAsync(TimeSpan.FromMinutes(30));
            await owners[i].CreateSlot().RenewLinkedAfterAsync(TimeSpan.FromMinutes(30), Variants.LongLived.Token);
        }

        var armed = Timer.ActiveCount - before;

        // 200 per-token CancelAfter timers would show; other tests' timers come and go, so allow slack.
        Assert.True(armed < 50, $"{armed} timers armed for 200 deadlines");
        foreach (var owner in owners)
        {
            await owner.DisposeAsync().Within();
        }
    }

    public static TheoryData<string, CallbackPlacement> Triggers => new()
    {
        { "outer", CallbackPlacement.Inline },
        { "link", CallbackPlacement.Inline },
        { "deadline", CallbackPlacement.Inline },
        { "outer", CallbackPlacement.ThreadPool },
        { "link", CallbackPlacement.ThreadPool },
        { "deadline", CallbackPlacement.ThreadPool },
    };

    [Theory]
    [MemberData(nameof(Triggers))]
    [Trait("Guarantee", "9")]
    public async Task AbandonedOwner_TriggerFiresAfterCollections_PollersTokenStillCancelled(string trigger, CallbackPlacement placement)
    {
        // A newcomer's poller: the owner is created in a method, hands its token out and goes out of scope.
        var time = new ManualTimeProvider();
        using var stopping = new CancellationTokenSource();
        var token = await Task.Run(() => StartPoller(trigger, placement, stopping.Token, time)).Within();
        ForceCollections();

        switch (trigger)
        {
            case "deadline":
                time.Advance(TimeSpan.FromSeconds(31));
                break;
            default:
                stopping.Cancel();
                break;
        }

        await Bounded.Cancelled(token);
    }

    [Theory]
    [MemberData(nameof(Triggers))]
    [Trait("Guarantee", "9")]
    public async Task AbandonedOwner_TriggerPending_StaysReachableThenCollectableOnceItFired(string trigger, CallbackPlacement placement)
    {
        var time = new ManualTimeProvider();
        using var stopping = new CancellationTokenSource();
        var (weak, token) = await Task.Run(() => AbandonWithTrigger(trigger, placement, stopping.Token, time)).Within();

        ForceCollections();
        Assert.True(weak.IsAlive, $"an owner whose {trigger} can still end its token must stay reachable");

        if (trigger == "deadline")
        {
            time.Advance(TimeSpan.FromSeconds(31));
        }
        else
        {
            stopping.Cancel();
        }

        await Bounded.Cancelled(token);
        await CollectedEventually(weak);
    }

    [Theory]
    [MemberData(nameof(Triggers))]
    [Trait("Guarantee", "9")]
    public async Task AbandonedOwner_TriggerRemovedByDispose_Collectable(string trigger, CallbackPlacement placement)
    {
        var time = new ManualTimeProvider();
        using var stopping = new CancellationTokenSource();
        var weak = await Task.Run(async () =>
        {
            var (reference, _) = AbandonWithTrigger(trigger, placement, stopping.Token, time);
            await ((TokenOwner)reference.Target!).DisposeAsync().Within();
            return reference;
        }).Within();

        await CollectedEventually(weak);
        Assert.False(stopping.IsCancellationRequested);
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    [Trait("Guarantee", "9")]
    public async Task AbandonedOwner_NoTrigger_Collectable(CallbackPlacement placement)
    {
        var weak = await Task.Run(() => AbandonPlainOwner(placement)).Within();

        await CollectedEventually(weak);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CancellationToken StartPoller(string trigger, CallbackPlacement placement, CancellationToken stopping, TimeProvider time) =>
        AbandonWithTrigger(trigger, placement, stopping, time).Token;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Owner, CancellationToken Token) AbandonWithTrigger(string trigger, CallbackPlacement placement, CancellationToken stopping, TimeProvider time)
    {
        var options = new TokenOwnerOptions { CallbackPlacement = placement, TimeProvider = time };
        if (trigger == "outer")
        {
            options.OuterToken = stopping;
        }

        var owner = new TokenOwner(options);
        var renew = trigger switch
        {
            "outer" => owner.RenewAsync(),
            "link" => owner.RenewLinkedAsync(stopping),
            _ => owner.RenewAfterAsync(TimeSpan.FromSeconds(30)),
        };
        var token = renew.AsTask().WaitAsync(Bounded.Limit).GetAwaiter().GetResult();
        return (new WeakReference(owner), token);
    }

    [Theory]
    [InlineData(1_000, false, false)]
    [InlineData(1_000, true, false)]
    [InlineData(1_000, false, true)]
    [InlineData(1_000, true, true)]
    [InlineData(10_000, false, false)]
    [InlineData(10_000, false, true)]
    [Trait("Guarantee", "9")]
    public async Task RetiredSlots_OwnerStillLive_AllButAFewCollectable(int count, bool timedOut, bool newestFirst)
    {
        // A slot whose token ended stays on the owner's list of slots that got a source until a scan or a
        // walk of the list unlinks it (TokenOwner.ActiveSlots.cs): a live owner holds a few dozen of its
        // retired (or ended) slots, never all of them, whatever order they are retired in. 10,000 slots
        // are more than any list walked whole: the scan alone cleans those.
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var live = await owner.RenewAsync().Within();
        var slots = await RenewAndRetire(owner, time, count, timedOut, newestFirst);

        ForceCollections();
        var reachable = 0;
        foreach (var slot in slots)
        {
            reachable += slot.IsAlive ? 1 : 0;
        }

        Assert.InRange(reachable, 0, 32);
        Assert.True(owner.IsCurrent(live));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<List<WeakReference>> RenewAndRetire(TokenOwner owner, ManualTimeProvider time, int count, bool timedOut, bool newestFirst)
    {
        var slots = new List<TokenSlot>(count);
        for (var i = 0; i < count; i++)
        {
            var slot = owner.CreateSlot();
            await slot.RenewAfterAsync(TimeSpan.FromMilliseconds(50)).Within();
            slots.Add(slot);
        }

        if (timedOut)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        if (newestFirst)
        {
            slots.Reverse();
        }

        var weak = new List<WeakReference>(count);
        foreach (var slot in slots)
        {
            await slot.DisposeAsync().Within();
            weak.Add(new WeakReference(slot));
        }

        return weak;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference AbandonPlainOwner(CallbackPlacement placement)
    {
        var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = placement });
        var slot = owner.CreateSlot();
        _ = owner.RenewAsync().AsTask().WaitAsync(Bounded.Limit).GetAwaiter().GetResult();
        _ = slot.RenewAsync().AsTask().WaitAsync(Bounded.Limit).GetAwaiter().GetResult();
        return new WeakReference(owner);
    }

    private static void ForceCollections()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        GC.Collect();
    }

    private static Task CollectedEventually(WeakReference weak) => Bounded.Until(
        () =>
        {
            ForceCollections();
            return !weak.IsAlive;
        },
        "the owner is collected");
}
