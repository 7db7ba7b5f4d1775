using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

[CollectionDefinition(nameof(TimerCountCollection), DisableParallelization = true)]
public sealed class TimerCountCollection
{
}

/// <summary>Guarantee 9: after disposal nothing is left behind (collectability: Contract/Guarantee9LeakTests).</summary>
[Collection(nameof(TimerCountCollection))]
public sealed class TokenOwnerLeakTests
{
    [Fact]
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
}
