using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Contract;

/// <summary>Guarantee 9: nothing leaks: sources, registrations, timers, and the owner itself.</summary>
/// <remarks>Runs alone: it counts process-wide timers.</remarks>
[Collection(NonParallelCollection.Name)]
public sealed class Guarantee9LeakTests
{
    [Fact]
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference AbandonLinkedOwner(CancellationToken link, CancellationToken outer, bool throughOptions)
    {
        var owner = throughOptions
            ? new TokenOwner(new TokenOwnerOptions { OuterToken = outer, CallbackPlacement = CallbackPlacement.ThreadPool })
            : new TokenOwner(outer);
        var slot = owner.CreateSlot();
        if (!slot.RenewLinkedAsync(link).AsTask().Wait(Bounded.Limit) || !owner.RenewLinkedAsync(link, outer).AsTask().Wait(Bounded.Limit))
        {
            throw new TimeoutException("renew did not complete");
        }

        return new WeakReference(owner);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AbandonedOwner_LinksOnLongLivedTokens_Collectable(bool throughOptions)
    {
        using var link = new CancellationTokenSource();
        using var outer = new CancellationTokenSource();
        var weak = await Task.Run(() => AbandonLinkedOwner(link.Token, outer.Token, throughOptions)).Within();
        await Bounded.Until(
            () =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                return !weak.IsAlive;
            },
            "the abandoned owner is collected");

        // The long-lived tokens still work and nothing throws into their canceller.
        Assert.Null(Record.Exception(() => link.Cancel()));
        Assert.Null(Record.Exception(() => outer.Cancel()));
    }
}
