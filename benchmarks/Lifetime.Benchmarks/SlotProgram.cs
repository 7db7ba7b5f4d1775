using System;
using System.Diagnostics;
using System.Threading;

namespace Lifetime.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Lifetime.Benchmarks -- slots</c>: memory per live slot with
/// a 30-minute deadline (retained bytes after a full collection, and bytes allocated, per slot, including
/// its source), against a source with <c>CancelAfter</c> per token, at 100,000 and 1,000,000 slots; then all
/// of them expiring together on the system clock: process CPU time and how late the last one ended.
/// </summary>
public static class SlotProgram
{
    private static readonly TimeSpan s_longTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan s_expiryTimeout = TimeSpan.FromSeconds(2);

    public static void Run()
    {
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
            Expire(count);
        }
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

    private static void Expire(int count)
    {
        var owner = new TokenOwner();
        var ended = 0;
        long latest = long.MinValue;
        var armedAt = new long[count];
        var slots = new TokenSlot[count];
        var timeout = (long)(s_expiryTimeout.TotalSeconds * Stopwatch.Frequency);
        Action<object?> onEnded = state =>
        {
            // How late this token ended: from its own deadline, which is at or after its arming time + timeout.
            var late = Stopwatch.GetTimestamp() - armedAt[(int)state!] - timeout;
            var seen = Volatile.Read(ref latest);
            while (late > seen && Interlocked.CompareExchange(ref latest, late, seen) != seen)
            {
                seen = Volatile.Read(ref latest);
            }

            Interlocked.Increment(ref ended);
        };

        for (var i = 0; i < count; i++)
        {
            slots[i] = owner.CreateSlot();
            armedAt[i] = Stopwatch.GetTimestamp();
            slots[i].RenewAfter(s_expiryTimeout).UnsafeRegister(onEnded, i);
        }

        var lastDeadline = armedAt[count - 1] + timeout;
        var firstDeadline = armedAt[0] + timeout;
        while (Stopwatch.GetTimestamp() < firstDeadline)
        {
            Thread.Sleep(1);
        }

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var limit = lastDeadline + (10 * Stopwatch.Frequency);
        while (Volatile.Read(ref ended) < count && Stopwatch.GetTimestamp() < limit)
        {
            Thread.Sleep(1);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        owner.Dispose();
        GC.KeepAlive(slots);
        if (Volatile.Read(ref ended) < count)
        {
            Console.WriteLine(FormattableString.Invariant($"{count,9:N0} slots expiring together: only {ended:N0} ended within 10 s of the last deadline"));
            return;
        }

        // The lateness is an upper bound: each deadline is at or after the arming time read here + timeout.
        var late = latest * 1000.0 / Stopwatch.Frequency;
        var spread = (lastDeadline - firstDeadline) * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(FormattableString.Invariant($"{count,9:N0} slots expiring together (deadlines spread over {spread:F0} ms of arming): {cpu.TotalMilliseconds * 100_000 / count:F1} ms process CPU per 100,000 ({cpu.TotalMilliseconds:F1} ms in all); the latest ended at most {late:F1} ms ({late / DeadlineWheel.TickLength.TotalMilliseconds:F1} ticks) after its deadline"));
    }

    private static long Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
