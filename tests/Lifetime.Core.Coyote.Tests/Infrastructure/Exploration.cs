using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace Lifetime.Coyote.Tests.Infrastructure;

/// <summary>
/// Runs one controlled test under Coyote's <see cref="TestingEngine"/>, in process: every iteration runs the
/// test from the start on a schedule the engine chooses (it owns every task, lock, <c>Interlocked</c> and
/// <c>Volatile</c> access of the rewritten assemblies), until a bug or the iteration budget.
/// </summary>
/// <remarks>
/// Knobs, shared with the reliability suite where they mean the same: <c>LIFETIME_SOAK=N</c> multiplies the
/// iterations; <c>LIFETIME_SEED=S</c> fixes the engine's seed (printed with every run);
/// <c>LIFETIME_COYOTE_REPLAY=path</c> replays the schedule a failure wrote to that file (the same test must be
/// selected with <c>--filter</c>); <c>LIFETIME_COYOTE_TRACES=dir</c> is where failures write their schedules
/// (default: the system's temp folder).
/// </remarks>
public static class Exploration
{
    /// <summary>The iterations of the default run per exploration, before <c>LIFETIME_SOAK</c>.</summary>
    public const int DefaultIterations = 100;

    /// <summary>The iterations of a soak (<c>LIFETIME_SOAK</c> set) are never fewer than this per exploration.</summary>
    public const int SoakMinimum = 10_000;

    /// <summary>Scheduling steps per iteration before the engine gives up on it (no scenario needs more than a few hundred).</summary>
    public const uint MaxSteps = 5_000;

    private static readonly double s_soak =
        double.TryParse(Environment.GetEnvironmentVariable("LIFETIME_SOAK"), NumberStyles.Float, CultureInfo.InvariantCulture, out var soak) && soak > 0 ? soak : 0;

    private static readonly uint? s_seed =
        uint.TryParse(Environment.GetEnvironmentVariable("LIFETIME_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : null;

    /// <summary>How many iterations an exploration of <paramref name="baseCount"/> runs with the current knobs.</summary>
    public static uint Iterations(int baseCount = DefaultIterations) =>
        s_soak == 0 ? (uint)baseCount : (uint)Math.Max(SoakMinimum, Math.Round(baseCount * s_soak));

    /// <summary>
    /// Explores <paramref name="test"/> for <paramref name="iterations"/> iterations (replays a recorded
    /// schedule instead when <c>LIFETIME_COYOTE_REPLAY</c> is set) and returns what the engine found.
    /// </summary>
    public static ExplorationResult Run(string name, Func<Task> test, uint iterations, uint? seed = null)
    {
        ArgumentNullException.ThrowIfNull(test);
        var replay = Environment.GetEnvironmentVariable("LIFETIME_COYOTE_REPLAY");
        var actualSeed = seed ?? s_seed ?? (uint)System.Random.Shared.Next();
        var configuration = Configuration.Create()
            .WithTestingIterations(iterations)
            .WithRandomGeneratorSeed(actualSeed)
            .WithPrioritizationStrategy()
            .WithMaxSchedulingSteps(MaxSteps)
            // A hang is reported after 5 s without progress (Coyote's default, 1 s, is short on a loaded machine).
            .WithDeadlockTimeout(5_000)
            // Lifetime.Core awaits one task the engine does not create: Completion, continued with
            // ExecuteSynchronously (TokenOwner.QuietCompletion), so its continuation runs inline on the
            // controlled thread that completes it. The engine is told to tolerate that instead of failing.
            .WithPartiallyControlledConcurrencyAllowed(true)
            // ... and may wait long enough for such a task: the default (10 checks, 1,000 spins apart) can
            // run out on a loaded machine before the thread completing it is scheduled, and the engine then
            // reports a deadlock that is not one. Much longer makes every wait for Completion spin for seconds.
            .WithUncontrolledConcurrencyResolutionTimeout(100, 1_000)
            // Interlocked, Volatile and lock accesses are scheduling points too: the drain gate and the
            // blocking protocol are built from them.
            .WithAtomicOperationRaceCheckingEnabled(true)
            .WithVolatileOperationRaceCheckingEnabled(true)
            .WithLockAccessRaceCheckingEnabled(true)
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false);
        if (!string.IsNullOrEmpty(replay))
        {
            configuration = configuration.WithReproducibleTrace(File.ReadAllText(replay));
        }

        var clock = Stopwatch.StartNew();
        using var engine = TestingEngine.Create(configuration, test);
        var iteration = 0u;
        engine.RegisterStartIterationCallBack(i => iteration = i + 1);
        engine.Run();
        clock.Stop();

        var report = engine.TestReport;
        string? tracePath = null;
        if (report.NumOfFoundBugs > 0 && string.IsNullOrEmpty(replay))
        {
            var folder = Environment.GetEnvironmentVariable("LIFETIME_COYOTE_TRACES") is { Length: > 0 } dir ? dir : Path.GetTempPath();
            Directory.CreateDirectory(folder);
            tracePath = Path.Combine(folder, $"{name}-{actualSeed}.schedule.json");
            File.WriteAllText(tracePath, engine.ReproducibleTrace);
        }

        return new ExplorationResult(
            name,
            actualSeed,
            iteration,
            report.NumOfFoundBugs,
            report.NumOfFoundBugs > 0 ? iteration : 0,
            report.BugReports.Count > 0 ? string.Join(Environment.NewLine, report.BugReports) : null,
            tracePath,
            clock.Elapsed,
            report.TotalControlledOperations,
            replay is { Length: > 0 });
    }
}
