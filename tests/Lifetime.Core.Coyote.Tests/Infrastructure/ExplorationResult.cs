using System;
using System.Globalization;

namespace Lifetime.Coyote.Tests.Infrastructure;

/// <summary>What one exploration found, and how to replay it.</summary>
/// <param name="Name">The scenario.</param>
/// <param name="Seed">The engine's seed (<c>LIFETIME_SEED</c> repeats the run).</param>
/// <param name="Iterations">Iterations run (a run stops at its first bug).</param>
/// <param name="Bugs">Bugs found (0 or 1).</param>
/// <param name="FirstBugAt">The iteration, counted from 1, that found the bug; 0 if none did.</param>
/// <param name="Report">The engine's bug report: the assertion or exception and where.</param>
/// <param name="TracePath">The file holding the failing schedule, for <c>LIFETIME_COYOTE_REPLAY</c>.</param>
/// <param name="Elapsed">Wall-clock time of the exploration.</param>
/// <param name="ControlledOperations">Controlled operations the engine scheduled, over all iterations.</param>
/// <param name="Replayed">Whether this run replayed a recorded schedule.</param>
public sealed record ExplorationResult(
    string Name,
    uint Seed,
    uint Iterations,
    int Bugs,
    uint FirstBugAt,
    string? Report,
    string? TracePath,
    TimeSpan Elapsed,
    long ControlledOperations,
    bool Replayed)
{
    /// <summary>One line for the test output.</summary>
    public string Summary => string.Format(
        CultureInfo.InvariantCulture,
        "{0}: {1}, {2:N0} iterations, {3:N0} controlled operations, {4:F1} s, {5}",
        Name,
        Replayed ? "replay of a recorded schedule" : $"seed {Seed}",
        Iterations,
        ControlledOperations,
        Elapsed.TotalSeconds,
        Bugs == 0 ? "no bug" : $"bug at iteration {FirstBugAt}");

    /// <summary>The failure message a test shows: the report and how to replay it.</summary>
    public string Failure => $"{Summary}{Environment.NewLine}{Report}{Environment.NewLine}" +
        (TracePath is null ? string.Empty : $"Replay: LIFETIME_COYOTE_REPLAY={TracePath} dotnet test tests/Lifetime.Core.Coyote.Tests -c Release --filter <this test>");
}
