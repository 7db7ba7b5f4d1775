using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace Lifetime.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Lifetime.Benchmarks -- slots</c>: memory per live slot with
/// a 30-minute deadline (retained bytes after a full collection, and bytes allocated, per slot, including
/// its source), against a source with <c>CancelAfter</c> per token, at 100,000 and 1,000,000 slots; then all
/// of them expiring together on the system clock, and as many sources with <c>CancelAfter</c>: process CPU
/// time and how late the tokens ended.
/// </summary>
public static class SlotProgram
{
    private static readonly TimeSpan s_longTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan s_expiryTimeout = TimeSpan.FromSeconds(2);

    public static void Run()
    {
        WarmUp();
        foreach (var count in new[] { 100_000, 1_000_000 })
        {
            var slots = Measure(count, static owner =>
            {
                var slot = owner.CreateSlot();
                _ = slot.RenewAfterAsync(s_longTimeout);
                return slot;
            });
            var sources = Measure(count, static _ =>
            {
                var source = new CancellationTokenSource();
                source.CancelAfter(s_longTimeout);
                return source;
            });
            Console.WriteLine(FormattableString.Invariant($"{count,9:N0} slots: Lifetime {slots.Retained:F1} B retained / {slots.Allocated:F1} B allocated per slot; CancelAfter {sources.Retained:F1} / {sources.Allocated:F1}"));
            ExpireSlots(count);
            ExpireCancelAfter(count);
        }
    }

    /// <summary>
    /// Expires 40,000 slots and as many <c>CancelAfter</c> sources, armed in 20 batches 50 ms apart, then
    /// waits a second. Without it the first timed window is the first time the expiry path runs often, and
    /// the JIT's recompiling it there (tiered compilation, with its instrumented tier) was most of that
    /// window's CPU time: 55–65 ms per 100,000 against 30 ms with tiered compilation off. The batches keep
    /// the wheel's timer ticking for a second, so that the per-tick methods are called often enough too.
    /// </summary>
    private static void WarmUp()
    {
        const int Batches = 20;
        const int PerBatch = 2_000;
        using var ended = new CountdownEvent(2 * Batches * PerBatch);
        Action<object?> signal = static state => ((CountdownEvent)state!).Signal();
        var owner = new TokenOwner();
        var sources = new List<CancellationTokenSource>(Batches * PerBatch);
        for (var batch = 0; batch < Batches; batch++)
        {
            for (var i = 0; i < PerBatch; i++)
            {
                owner.CreateSlot().RenewAfter(TimeSpan.FromMilliseconds(500)).UnsafeRegister(signal, ended);
                var source = new CancellationTokenSource();
                source.CancelAfter(TimeSpan.FromMilliseconds(500));
                source.Token.UnsafeRegister(signal, ended);
                sources.Add(source);
            }

            Thread.Sleep(50);
        }

        if (!ended.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The warm-up's tokens did not all end within 30 s.");
        }

        owner.Dispose();
        foreach (var source in sources)
        {
            source.Dispose();
        }

        Thread.Sleep(TimeSpan.FromSeconds(1));
    }

    private static void ExpireSlots(int count)
    {
        var owner = new TokenOwner();
        var armed = new TokenSlot[count];
        Expire("slots", count, i =>
        {
            var slot = armed[i] = owner.CreateSlot();
            var token = slot.RenewAfter(s_expiryTimeout);
            return (token, Volatile.Read(ref slot.Deadline));
        }, owner.Dispose);
    }

    private static void ExpireCancelAfter(int count)
    {
        var timed = new CancellationTokenSource[count];
        var timeout = (long)(s_expiryTimeout.TotalSeconds * Stopwatch.Frequency);
        Expire("CancelAfter sources", count, i =>
        {
            var source = timed[i] = new CancellationTokenSource();
            source.CancelAfter(s_expiryTimeout);
            // The timer's own due time is not readable; taken after arming, so that this never makes it look late.
            return (source.Token, Stopwatch.GetTimestamp() + timeout);
        }, () =>
        {
            foreach (var source in timed)
            {
                source.Dispose();
            }
        });
    }

    private static (double Retained, double Allocated) Measure(int count, Func<TokenOwner, object> arm)
    {
        var owner = new TokenOwner();
        var held = new object[count];
        var before = Collect();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            held[i] = arm(owner);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var retained = Collect() - before;
        GC.KeepAlive(held);
        owner.Dispose();
        foreach (var item in held)
        {
            (item as IDisposable)?.Dispose();
        }

        return ((double)retained / count, (double)allocated / count);
    }

    /// <summary>
    /// Arms <paramref name="count"/> tokens that expire <see cref="s_expiryTimeout"/> after arming, one
    /// after another as fast as they arm, then waits for them all to end and prints the process CPU time
    /// the expiry took and how late the tokens ended, as a distribution, from each one's deadline.
    /// </summary>
    /// <param name="name">What is armed, for the printed line.</param>
    /// <param name="count">How many tokens to arm.</param>
    /// <param name="arm">Arms token <c>i</c>: its token and its deadline as a <see cref="Stopwatch"/> timestamp.</param>
    /// <param name="cleanup">Disposes what was armed, after the expiry.</param>
    private static void Expire(string name, int count, Func<int, (CancellationToken Token, long Deadline)> arm, Action cleanup)
    {
        var ended = 0;
        var deadlines = new long[count];
        var lateness = new long[count];
        Action<object?> onEnded = state =>
        {
            var i = (int)state!;
            lateness[i] = Stopwatch.GetTimestamp() - deadlines[i];
            Interlocked.Increment(ref ended);
        };

        for (var i = 0; i < count; i++)
        {
            (var token, deadlines[i]) = arm(i);
            token.UnsafeRegister(onEnded, i);
        }

        var firstDeadline = deadlines.Min();
        var lastDeadline = deadlines.Max();
        while (Stopwatch.GetTimestamp() < firstDeadline)
        {
            Thread.Sleep(1);
        }

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var pausedBefore = GC.GetTotalPauseDuration();
        var limit = lastDeadline + (10 * Stopwatch.Frequency);
        while (Volatile.Read(ref ended) < count && Stopwatch.GetTimestamp() < limit)
        {
            Thread.Sleep(1);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var paused = (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds;
        cleanup();
        if (Volatile.Read(ref ended) < count)
        {
            Console.WriteLine(FormattableString.Invariant($"{count,9:N0} {name} expiring together: only {ended:N0} ended within 10 s of the last deadline"));
            return;
        }

        Array.Sort(lateness);
        var tick = DeadlineWheel.TickLength.TotalMilliseconds;
        string Late(long timestamps)
        {
            var milliseconds = timestamps * 1000.0 / Stopwatch.Frequency;
            return FormattableString.Invariant($"{milliseconds:F1} ms ({milliseconds / tick:F1} ticks)");
        }

        var spread = (lastDeadline - firstDeadline) * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(FormattableString.Invariant($"{count,9:N0} {name} expiring together (deadlines spread over {spread:F0} ms of arming): {cpu.TotalMilliseconds * 100_000 / count:F1} ms process CPU per 100,000; ended after their deadline by median {Late(lateness[count / 2])}, p99 {Late(lateness[count / 100 * 99])}, latest {Late(lateness[^1])}; GC pauses during the expiry {paused:F1} ms"));
    }

    private static long Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
