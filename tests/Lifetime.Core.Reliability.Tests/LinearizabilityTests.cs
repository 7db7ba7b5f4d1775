using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Reliability.Tests.Linearizability;
using Xunit.Abstractions;

namespace Lifetime.Reliability.Tests;

/// <summary>
/// Many threads on shared owners: every history of every round must be linearizable against the
/// sequential model, with at least 1,000,000 operations per default run.
/// </summary>
public sealed class LinearizabilityTests : ReliabilityTest
{
    private const int Threads = 3;
    private const int OpsPerThread = 5;

    public LinearizabilityTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void ConcurrentHistories_InlineAndThreadPool_AllLinearizable()
    {
        var started = Stopwatch.StartNew();
        var result = HistoryRunner.Run(Threads, OpsPerThread, Scale.Of(1_000_000), seed => new OwnerSubject(PlacementFor(seed)), exploreSchedules: false);

        Figures.Record(Output, "Linearizability", $"{result.Rounds} rounds, {result.Operations} operations, {Threads} threads x {OpsPerThread} ops per round, {started.Elapsed.TotalSeconds:F1} s");
        Assert.True(result.Failure is null, result.Failure);
        Assert.True(result.Operations >= Scale.Of(1_000_000) || Scale.ReplaySeed is not null);
    }

    [Fact]
    public void ConcurrentHistories_WithScheduleHooks_AllLinearizable()
    {
        var started = Stopwatch.StartNew();
        var result = HistoryRunner.Run(Threads, OpsPerThread, Scale.Of(150_000), seed => new OwnerSubject(PlacementFor(seed)), exploreSchedules: true);

        Figures.Record(Output, "Linearizability with schedule hooks", $"{result.Rounds} rounds, {result.Operations} operations, {started.Elapsed.TotalSeconds:F1} s");
        Assert.True(result.Failure is null, result.Failure);
    }

    private static CallbackPlacement PlacementFor(int seed) =>
        System.Environment.GetEnvironmentVariable("LIFETIME_PLACEMENT") is { } forced ? System.Enum.Parse<CallbackPlacement>(forced) : (CallbackPlacement)(seed & 1);

    [Fact]
    public void ConcurrentHistories_RacyOwnerPlanted_CheckerReportsSeed()
    {
        var result = HistoryRunner.Run(Threads, OpsPerThread, 1_000_000, _ => new RacyOwner(), exploreSchedules: true);

        Output.WriteLine(result.Failure ?? "no failure");
        Assert.NotNull(result.Failure);
        Assert.Contains("No sequential order explains this history", result.Failure, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Check_IsCurrentFalseRightAfterRenew_Rejected()
    {
        using var source = new CancellationTokenSource();
        var renew = new HistoryEntry(0, OpKind.Renew, 0) { Invoked = 1, Answered = 2, Token = source.Token };
        var check = new HistoryEntry(1, OpKind.IsCurrent, 0, source.Token) { Invoked = 3, Answered = 4, Flag = false };

        var failure = LinearizabilityChecker.Check([renew, check], new Dictionary<CancellationToken, bool> { [source.Token] = false });

        Assert.NotNull(failure);
    }

    [Fact]
    public void Check_RenewRefusedWithoutAnyRetireOrDispose_Rejected()
    {
        var renew = new HistoryEntry(0, OpKind.Renew, 1) { Invoked = 1, Answered = 2, Outcome = Outcome.Disposed };

        Assert.NotNull(LinearizabilityChecker.Check([renew], new Dictionary<CancellationToken, bool>()));
    }

    [Fact]
    public void Check_OverlappingCancelExplainsStaleToken_Accepted()
    {
        using var source = new CancellationTokenSource();
        var renew = new HistoryEntry(0, OpKind.Renew, 0) { Invoked = 1, Answered = 2, Token = source.Token };
        var cancel = new HistoryEntry(0, OpKind.Cancel, 0) { Invoked = 3, Answered = 6 };
        var check = new HistoryEntry(1, OpKind.IsCurrent, 0, source.Token) { Invoked = 4, Answered = 5, Flag = false };

        var failure = LinearizabilityChecker.Check([renew, cancel, check], new Dictionary<CancellationToken, bool> { [source.Token] = true });

        Assert.Null(failure);
    }
}
