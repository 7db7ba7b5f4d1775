using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Lifetime.Reliability.Tests;

/// <summary>
/// Guarantee 9 under load, and the leak checkers themselves: each one is shown to catch a planted leak.
/// </summary>
public sealed class LeakTests : ReliabilityTest
{
    private static readonly CancellationTokenSource s_longLived = new();

    public LeakTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void ConcurrentWorkload_SystemClock_EverySourceDisposedOnceNoRegistrationNoTimer()
    {
        var time = new SystemClock();
        var timersBefore = Timer.ActiveCount;
        var ledger = new LeakLedger();
        var externals = new CancellationTokenSource[4];
        for (var i = 0; i < externals.Length; i++)
        {
            externals[i] = new CancellationTokenSource();
        }

        var owners = new TokenOwner[Scale.Of(64)];
        for (var i = 0; i < owners.Length; i++)
        {
            var options = ledger.Options(time);
            options.CallbackPlacement = (CallbackPlacement)(i % 2);
            owners[i] = new TokenOwner(options);
        }

        var started = Stopwatch.StartNew();
        var workers = new Task[4];
        var operations = Scale.Of(25_000);
        for (var w = 0; w < workers.Length; w++)
        {
            var seed = w;
            workers[w] = Task.Run(async () =>
            {
                var random = new Random(seed);
                for (var i = 0; i < operations; i++)
                {
                    var owner = owners[random.Next(owners.Length)];
                    switch (random.Next(7))
                    {
                        case 0:
                            await owner.RenewAsync();
                            break;
                        case 1:
                            await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(random.Next(1, 30)));
                            break;
                        case 2:
                            await owner.RenewLinkedAsync(externals[random.Next(externals.Length)].Token, s_longLived.Token);
                            break;
                        case 3:
                            await owner.RenewLinkedAfterAsync(TimeSpan.FromMinutes(30), externals[random.Next(externals.Length)].Token);
                            break;
                        case 4:
                            await owner.RenewOwnedAsync(ledger.CreateForCaller());
                            break;
                        case 5:
                            await owner.TouchAsync(TimeSpan.FromMilliseconds(random.Next(1, 30)));
                            break;
                        default:
                            await owner.CancelAndDisposeAsync();
                            break;
                    }
                }
            });
        }

        // Blocking, bounded waits: an awaited WaitAsync bound would hold a Timer of its own for a while.
        Sync.Wait(Task.WhenAll(workers));
        foreach (var owner in owners)
        {
            Sync.Wait(owner.DisposeAsync());
            Sync.Wait(owner.Completion);
        }

        Figures.Record(Output, "Leak workload", $"{workers.Length * operations} operations on {owners.Length} owners, {ledger.Created} sources, {started.Elapsed.TotalSeconds:F1} s");
        ledger.AssertBalanced();
        Assert.Equal((0, false), owners[0].Wheel.Snapshot);
        Assert.Equal(timersBefore, Timer.ActiveCount);
        foreach (var external in externals)
        {
            Assert.Equal(0, RegistrationProbe.Count(external));
            external.Dispose();
        }
    }

    [Fact]
    public async Task AbandonedOwners_LinkedAndBoundToLongLivedToken_KeptUntilItFiresThenAllCollected()
    {
        using var stopping = new CancellationTokenSource();
        var (references, tokens) = await AbandonOwners(Scale.Of(1_000), stopping.Token);

        // Pending triggers keep every owner reachable, so that no collection changes what their tokens do.
        var kept = Collectability.Survivors(references, rounds: 3);
        stopping.Cancel();
        foreach (var token in tokens)
        {
            await Bounded.Cancelled(token);
        }

        var survivors = Collectability.Survivors(references);

        Figures.Record(Output, "Abandoned owners", $"{references.Count} abandoned with pending triggers: {kept} kept through collections, {tokens.Count} tokens ended when the trigger fired, {survivors} survived collection after it");
        Assert.Equal(references.Count, kept);
        Assert.Equal(0, survivors);
    }

    [Fact]
    public void Collectability_OwnerCapturedByRegistration_Reported()
    {
        using var holder = new CancellationTokenSource();
        var references = CaptureOwnersStrongly(holder.Token, 10);

        Assert.Equal(10, Collectability.Survivors(references, rounds: 3));
    }

    [Fact]
    public void RegistrationProbe_LinkedToken_SeesRegistrationUntilTokenEnds()
    {
        using var external = new CancellationTokenSource();
        using var owner = new TokenOwner();
        Sync.Wait(owner.RenewLinkedAsync(external.Token));
        Assert.Equal(1, RegistrationProbe.Count(external));

        Sync.Wait(owner.RenewAsync());

        Assert.Equal(0, RegistrationProbe.Count(external));
    }

    [Fact]
    public void LeakLedger_OwnerThatForgetsToDispose_Reported()
    {
        var ledger = new LeakLedger(plantedLeaks: true);
        var forgetful = new ForgetfulOwner(ledger, disposeTwice: false);
        for (var i = 0; i < 5; i++)
        {
            forgetful.Renew();
        }

        forgetful.Dispose();

        Assert.Equal("5 sources created, 1 disposed", ledger.Problem());
    }

    [Fact]
    public void LeakLedger_OwnerThatDisposesTwice_Reported()
    {
        var ledger = new LeakLedger(plantedLeaks: true);
        var careless = new ForgetfulOwner(ledger, disposeTwice: true);
        careless.Renew();
        careless.Dispose();

        Assert.Equal("1 extra disposals of already disposed sources", ledger.Problem());
    }

    [Fact]
    public void LeakLedger_SourceDroppedUndisposed_FlaggedByFinalizer()
    {
        var ledger = new LeakLedger(plantedLeaks: true);
        DropSource(ledger);

        for (var round = 0; round < 20 && ledger.FinalizedUndisposed == 0; round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.Equal(1, ledger.FinalizedUndisposed);
    }

    [Fact]
    public void UnobservedExceptions_FaultedTaskDropped_Observed()
    {
        UnobservedExceptions.Drain();
        DropFaultedTask();

        var seen = 0;
        for (var round = 0; round < 20 && seen == 0; round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            seen = UnobservedExceptions.Count;
        }

        Assert.Single(UnobservedExceptions.Drain());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(List<WeakReference> Owners, List<CancellationToken> Tokens)> AbandonOwners(int count, CancellationToken stopping)
    {
        var references = new List<WeakReference>(count);
        var tokens = new List<CancellationToken>(count * 3);
        for (var i = 0; i < count; i++)
        {
            var owner = new TokenOwner(new TokenOwnerOptions { OuterToken = stopping, CallbackPlacement = (CallbackPlacement)(i % 2) });
            tokens.Add(await owner.RenewLinkedAsync(stopping).Within());
            tokens.Add(await owner.CreateSlot().RenewLinkedAfterAsync(Timeout.InfiniteTimeSpan, stopping).Within());
            tokens.Add(await owner.CreateSlot().RenewAsync().Within());
            references.Add(new WeakReference(owner));
        }

        return (references, tokens);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> CaptureOwnersStrongly(CancellationToken holder, int count)
    {
        var references = new List<WeakReference>(count);
        for (var i = 0; i < count; i++)
        {
            var owner = new TokenOwner();
            holder.Register(() => owner.Dispose());
            references.Add(new WeakReference(owner));
        }

        return references;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropSource(LeakLedger ledger) => _ = ledger.CreateForCaller();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropFaultedTask() => _ = Task.FromException(new InvalidOperationException("planted: nobody observes this"));

    private sealed class SystemClock : TimeProvider
    {
    }

    /// <summary>A planted bug: a lock-based owner that cancels replaced sources but never disposes them (or disposes twice).</summary>
    private sealed class ForgetfulOwner
    {
        private readonly LeakLedger _ledger;
        private readonly bool _disposeTwice;
        private readonly object _gate = new();
        private CancellationTokenSource? _current;

        public ForgetfulOwner(LeakLedger ledger, bool disposeTwice)
        {
            _ledger = ledger;
            _disposeTwice = disposeTwice;
        }

        public CancellationToken Renew()
        {
            lock (_gate)
            {
                _current?.Cancel();
                _current = _ledger.Create();
                return _current.Token;
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _current?.Cancel();
                _current?.Dispose();
                if (_disposeTwice)
                {
                    _current?.Dispose();
                }
            }
        }
    }
}
