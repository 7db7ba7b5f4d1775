using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Threading;

namespace Lifetime.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Lifetime.Benchmarks -- paired</c>: the single-caller renews
/// against the lock-based owner, interleaved in one process and timed in the calling thread's CPU time.
/// </summary>
/// <remarks>
/// On a shared virtual machine one BenchmarkDotNet process can measure the same code 1.5 to 2 times slower
/// than the next (the histograms show two modes), so a ratio between two benchmarks that ran minutes apart
/// can be off by that much. Here every round times a batch of each operation back to back, and the ratio
/// is taken per round: both sides of a ratio see the same machine. Thread CPU time leaves out time the
/// thread was not running. The minimum is the figure least disturbed by the machine; the median of the
/// per-round ratios is the one to compare with a target.
/// </remarks>
public static class PairedProgram
{
    private const int Rounds = 400;
    private const int Batch = 20_000;

    public static void Run()
    {
        using var lockBased = new LockBasedOwner();
        using var owner = new TokenOwner();
        using var link = new CancellationTokenSource();
        var token = link.Token;
        var links = new[] { token };
        (string Name, Action Operation)[] operations =
        [
            ("new + Cancel + Dispose (raw CTS)", static () =>
            {
                using var source = new CancellationTokenSource();
                source.Cancel();
            }),
            ("lock-based Renew", () => lockBased.Renew()),
            ("TokenOwner.Renew (synchronous)", () => owner.Renew()),
            ("await TokenOwner.RenewAsync", () => Await(owner.RenewAsync())),
            ("lock-based RenewLinked (one link)", () => lockBased.RenewLinked(links)),
            ("TokenOwner.RenewLinked (one link)", () => owner.RenewLinked(links)),
            ("await TokenOwner.RenewLinkedAsync (one link)", () => Await(owner.RenewLinkedAsync(links))),
        ];

        Measure(operations, [(2, 1), (3, 1), (5, 4), (6, 4)]);
    }

    /// <summary>
    /// <c>-- paired meter</c>: the synchronous renew of this build against the same renew of a build of
    /// Lifetime.Core without the meter's recording sites (copied to <c>nometer/</c> by the project file and
    /// loaded in an AssemblyLoadContext of its own), both called through a delegate of the same shape. With
    /// <paramref name="listening"/> (<c>-- paired meter listening</c>), a listener enables every instrument
    /// of the meter from the start. The two cases run in separate processes: the JIT lays a method out for
    /// the branches it saw taken, so a listener attached after the warm-up would time cold code.
    /// </summary>
    public static void RunMeter(bool listening)
    {
        if (!LifetimeMetrics.Recording)
        {
            throw new InvalidOperationException("This build of Lifetime.Core has no recording sites: build the benchmarks without -p:LifetimeNoMeter=true.");
        }

        using var listener = listening ? new SummingLifetimeListener() : null;
        var path = Path.Combine(AppContext.BaseDirectory, "nometer", "Lifetime.Core.dll");
        var assembly = new AssemblyLoadContext("Lifetime.Core without the meter").LoadFromAssemblyPath(path);
        var ownerType = assembly.GetType(typeof(TokenOwner).FullName!, throwOnError: true)!;
        using var noMeterOwner = (IDisposable)Activator.CreateInstance(ownerType)!;
        var noMeterRenew = ownerType.GetMethod(nameof(TokenOwner.Renew), Type.EmptyTypes)!.CreateDelegate<Func<CancellationToken>>(noMeterOwner);
        using var owner = new TokenOwner();
        var renew = new Func<CancellationToken>(owner.Renew);
        Console.WriteLine(listening
            ? "A listener enables every instrument of the meter (both builds publish one; only this one records):"
            : "No listener:");
        Measure([("Renew, build without the meter", () => noMeterRenew()), ("Renew, this build", () => renew())], [(1, 0)]);
    }

    /// <summary>
    /// Warms every operation up, times <see cref="Rounds"/> rounds of each in turn, and prints each one's
    /// minimum and median and the median per-round ratio of each pair in <paramref name="ratios"/>
    /// (measured, baseline), with the median difference in nanoseconds.
    /// </summary>
    private static void Measure((string Name, Action Operation)[] operations, (int Measured, int Baseline)[] ratios)
    {
        foreach (var (_, operation) in operations)
        {
            for (var i = 0; i < 30; i++)
            {
                TimeBatch(operation);
            }
        }

        var times = operations.Select(_ => new double[Rounds]).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < operations.Length; i++)
            {
                times[i][round] = TimeBatch(operations[i].Operation);
            }
        }

        Console.WriteLine(FormattableString.Invariant($"{Rounds} rounds of {Batch:N0} calls each, thread CPU time per call ({ThreadCpu.Source}):"));
        for (var i = 0; i < operations.Length; i++)
        {
            var sorted = times[i].Order().ToArray();
            Console.WriteLine(FormattableString.Invariant($"  {operations[i].Name,-46} min {sorted[0],6:F1} ns   median {sorted[Rounds / 2],6:F1} ns"));
        }

        Console.WriteLine("Median of the per-round ratios (and differences):");
        foreach (var (measured, baseline) in ratios)
        {
            var ratio = times[measured].Zip(times[baseline], static (m, b) => m / b).Order().ToArray()[Rounds / 2];
            var difference = times[measured].Zip(times[baseline], static (m, b) => m - b).Order().ToArray()[Rounds / 2];
            Console.WriteLine(FormattableString.Invariant($"  {operations[measured].Name} / {operations[baseline].Name}: {ratio:F2} ({difference:+0.0;-0.0} ns)"));
        }
    }

    private static double TimeBatch(Action operation)
    {
        var start = ThreadCpu.NowNanoseconds();
        for (var i = 0; i < Batch; i++)
        {
            operation();
        }

        return (ThreadCpu.NowNanoseconds() - start) / (double)Batch;
    }

    private static void Await(System.Threading.Tasks.ValueTask<CancellationToken> renew)
    {
        if (!renew.IsCompletedSuccessfully)
        {
            renew.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The calling thread's CPU time where the OS reports it (Linux), otherwise wall-clock time.</summary>
    private static class ThreadCpu
    {
        private const int ClockThreadCpuTimeId = 3;

        private static readonly bool s_available = OperatingSystem.IsLinux();

        public static string Source => s_available ? "CLOCK_THREAD_CPUTIME_ID" : "wall clock: no thread CPU clock on this OS";

        public static long NowNanoseconds()
        {
            if (s_available && ClockGetTime(ClockThreadCpuTimeId, out var now) == 0)
            {
                return (now.Seconds * 1_000_000_000) + now.Nanoseconds;
            }

            return (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));
        }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }
    }
}
