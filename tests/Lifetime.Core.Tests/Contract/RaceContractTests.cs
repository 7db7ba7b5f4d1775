using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Contract;

/// <summary>Requests racing the owner's disposal: every outcome is one the contract allows, and nothing leaks.</summary>
public sealed class RaceContractTests
{
    [Fact]
    public async Task RenewAsync_AfterDisposeRequestedWhilePathBusy_ThrowsObjectDisposedAtCallSite()
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
        var slot = owner.CreateSlot();
        var busy = Task.Run(async () => await owner.CancelAndDisposeAsync());
        await Task.Run(() => entered.Wait(Bounded.Limit)).Within();
        Task disposal;
        Task cancelAll;
        Task<bool> touch;
        try
        {
            disposal = owner.DisposeAsync().AsTask();
            Assert.Throws<ObjectDisposedException>(() => { _ = owner.RenewAsync(); });
            Assert.Throws<ObjectDisposedException>(() => { _ = slot.RenewAfterAsync(TimeSpan.FromSeconds(1)); });
            Assert.Throws<ObjectDisposedException>(() => owner.CreateSlot());
            cancelAll = owner.CancelAllAsync().AsTask();
            touch = owner.TouchAsync(TimeSpan.FromSeconds(1)).AsTask();
        }
        finally
        {
            release.Set();
        }

        await busy.Within();
        await disposal.Within();
        await cancelAll.Within();
        Assert.False(await touch.Within());
    }

    [Fact]
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

    [Fact]
    public async Task RenewAfterAsync_ManySlotsAtEveryPhase_EachNeverEarlyAtMostOneTickLate()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var tokens = new CancellationToken[200];
        var due = new long[tokens.Length];
        var fired = new long[tokens.Length];
        var elapsed = 0L;
        for (var i = 0; i < tokens.Length; i++)
        {
            var timeoutMs = 1 + (i * 7 % 53);
            tokens[i] = await owner.CreateSlot().RenewAfterAsync(TimeSpan.FromMilliseconds(timeoutMs)).Within();
            due[i] = elapsed + timeoutMs;
            if (i % 3 == 0)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
                elapsed++;
                for (var j = 0; j <= i; j++)
                {
                    if (fired[j] == 0 && tokens[j].IsCancellationRequested)
                    {
                        fired[j] = elapsed;
                    }
                }
            }
        }

        while (elapsed < 200)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            elapsed++;
            for (var j = 0; j < tokens.Length; j++)
            {
                if (fired[j] == 0 && tokens[j].IsCancellationRequested)
                {
                    fired[j] = elapsed;
                }
            }
        }

        for (var i = 0; i < tokens.Length; i++)
        {
            Assert.True(fired[i] >= due[i], $"token {i} fired at {fired[i]} ms, due {due[i]} ms");
            Assert.True(fired[i] <= due[i] + 10, $"token {i} fired at {fired[i]} ms, due {due[i]} ms");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1_000)]
    [InlineData(10_000)]
    [InlineData(95_000)]
    public async Task TouchAsync_TinyTimeoutsAtOddPhase_NeverEarly(long ticks)
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within();
        time.Advance(TimeSpan.FromTicks(93_000));
        Assert.True(await owner.TouchAsync(TimeSpan.FromTicks(ticks)).Within());
        Assert.False(token.IsCancellationRequested);
        var moved = 0L;
        while (!token.IsCancellationRequested && moved < TimeSpan.TicksPerSecond)
        {
            time.Advance(TimeSpan.FromTicks(500));
            moved += 500;
        }

        Assert.InRange(moved, ticks, ticks + TimeSpan.TicksPerMillisecond * 10 + 500);
    }
}
