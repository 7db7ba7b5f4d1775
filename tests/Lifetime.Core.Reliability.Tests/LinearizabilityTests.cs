using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Reliability.Tests.Linearizability;
using Lifetime.Tests.Infrastructure;
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

    // The base context posts to the thread pool: dispatched ends on pool threads, in no particular order.
    private static readonly SynchronizationContext s_poolContext = new();

    [Fact]
    public void ConcurrentHistories_EveryPlacement_AllLinearizable()
    {
        var started = Stopwatch.StartNew();
        using var pump = new PumpContext();
        var result = HistoryRunner.Run(Threads, OpsPerThread, Scale.Of(1_000_000), seed => SubjectFor(seed, pump), exploreSchedules: false);

        Figures.Record(Output, "Linearizability", $"{result.Rounds} rounds, {result.Operations} operations, {Threads} threads x {OpsPerThread} ops per round (sync or async forms at random in every round, the outer token racing in 1/3 of the rounds), Inline 1/2, ThreadPool, pump context, pool context 1/6 each by seed, {started.Elapsed.TotalSeconds:F1} s");
        Assert.True(result.Failure is null, result.Failure);
        Assert.True(result.Operations >= Scale.Of(1_000_000) || Scale.ReplaySeed is not null);
    }

    [Fact]
    public void ConcurrentHistories_WithScheduleHooks_AllLinearizable()
    {
        var started = Stopwatch.StartNew();
        using var pump = new PumpContext();
        var result = HistoryRunner.Run(Threads, OpsPerThread, Scale.Of(150_000), seed => SubjectFor(seed, pump), exploreSchedules: true);

        Figures.Record(Output, "Linearizability with schedule hooks", $"{result.Rounds} rounds, {result.Operations} operations, sync or async forms at random in every round, the outer token racing in 1/3 of the rounds, {started.Elapsed.TotalSeconds:F1} s");
        Assert.True(result.Failure is null, result.Failure);
    }

    /// <summary>
    /// The round's owner, its placement by seed: Inline for half the rounds (as before), and for the other
    /// half, in thirds, ThreadPool or SynchronizationContext with a context that runs posts on its own
    /// thread in order (<see cref="PumpContext"/>) or on pool threads in any order.
    /// <c>LIFETIME_PLACEMENT</c> forces the placement (the context still follows the seed).
    /// </summary>
    private static OwnerSubject SubjectFor(int seed, PumpContext pump) => new(PlacementFor(seed), (seed >> 1) % 3 == 2 ? s_poolContext : pump);

    private static CallbackPlacement PlacementFor(int seed) => System.Environment.GetEnvironmentVariable("LIFETIME_PLACEMENT") is { } forced
        ? System.Enum.Parse<CallbackPlacement>(forced)
        : (seed & 1) == 0 ? CallbackPlacement.Inline : (seed >> 1) % 3 == 0 ? CallbackPlacement.ThreadPool : CallbackPlacement.SynchronizationContext;

    [Fact]
    public void ConcurrentHistories_RacyOwnerPlanted_CheckerReportsSeed()
    {
        var result = HistoryRunner.Run(Threads, OpsPerThread, 1_000_000, _ => new RacyOwner(), exploreSchedules: true);

        Output.WriteLine(result.Failure ?? "no failure");
        Assert.NotNull(result.Failure);

        // Its racy ends are seen either in the answers and final states, or (as it cancels after writing the
        // slot) only in the token states at a reply.
        Assert.True(
            result.Failure.Contains("No sequential order explains this history", System.StringComparison.Ordinal) || result.Failure.Contains(LinearizabilityChecker.ReplyFailure, System.StringComparison.Ordinal),
            result.Failure);
    }

    [Fact]
    public void ConcurrentHistories_EndOfLifeBoundAsDisposalPlanted_CheckerReportsSeed()
    {
        // The planted subject binds its outer token the v1 way (a disposal): renews racing or following the
        // end of life throw, which no sequential order of guarantee 7 (v2) explains.
        var result = HistoryRunner.Run(Threads, OpsPerThread, 1_000_000, _ => new OwnerSubject(CallbackPlacement.Inline, plantedV1Binding: true), exploreSchedules: false);

        Output.WriteLine(result.Failure ?? "no failure");
        Assert.NotNull(result.Failure);
        Assert.Contains("No sequential order explains this history", result.Failure, System.StringComparison.Ordinal);
        Assert.Contains("EndLife", result.Failure, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RenewRefusedAfterTheEndOfLife_Rejected()
    {
        var end = new HistoryEntry(0, OpKind.EndLife, 0) { Invoked = 1, Answered = 2 };
        var renew = new HistoryEntry(1, OpKind.Renew, 1) { Invoked = 3, Answered = 4, Outcome = Outcome.Disposed };

        Assert.NotNull(LinearizabilityChecker.Check([end, renew], new Dictionary<CancellationToken, bool>()));
    }

    [Fact]
    public void Check_RenewEndedAfterTheEndOfLife_Accepted()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var end = new HistoryEntry(0, OpKind.EndLife, 0) { Invoked = 1, Answered = 2 };
        var renew = new HistoryEntry(1, OpKind.Renew, 1) { Invoked = 3, Answered = 4, Outcome = Outcome.Ended, Token = source.Token };
        var again = new HistoryEntry(1, OpKind.RenewAfter, 0) { Invoked = 5, Answered = 6, Outcome = Outcome.Ended, Token = source.Token };

        Assert.Null(LinearizabilityChecker.Check([end, renew, again], new Dictionary<CancellationToken, bool>()));
    }

    [Fact]
    public void Check_RenewEndedAfterAnExplicitDispose_Rejected()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var dispose = new HistoryEntry(0, OpKind.Dispose, 0) { Invoked = 1, Answered = 2 };
        var end = new HistoryEntry(0, OpKind.EndLife, 0) { Invoked = 3, Answered = 4 };
        var renew = new HistoryEntry(1, OpKind.Renew, 0) { Invoked = 5, Answered = 6, Outcome = Outcome.Ended, Token = source.Token };

        Assert.NotNull(LinearizabilityChecker.Check([dispose, end, renew], new Dictionary<CancellationToken, bool>()));

        // The explicit disposal came first: the refusal is the right answer.
        renew.Outcome = Outcome.Disposed;
        Assert.Null(LinearizabilityChecker.Check([dispose, end, renew], new Dictionary<CancellationToken, bool>()));
    }

    [Fact]
    public void Check_RenewEndedWithNoEndOfLifeInvoked_Rejected()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var renew = new HistoryEntry(1, OpKind.Renew, 0) { Invoked = 1, Answered = 2, Outcome = Outcome.Ended, Token = source.Token };
        var end = new HistoryEntry(0, OpKind.EndLife, 0) { Invoked = 3, Answered = 4 };

        Assert.NotNull(LinearizabilityChecker.Check([renew, end], new Dictionary<CancellationToken, bool>()));
    }

    [Fact]
    public void Check_RetirementRequestedBeforeTheEndProcessedAfterIt_ItsSlotsTokenLeftToTheEnd_Accepted()
    {
        // Seed 1348943591's shape: slot 1's retirement is requested before the end of life (its renews keep
        // throwing), but processed after it, so the end's own step ends slot 1's token. A retirement of slot 2
        // made after the end answers while that token is still live: nothing it or an earlier request did
        // ended it. The outer token's Cancel promises nothing, so the end's step for slot 1 may come later.
        using var a = new CancellationTokenSource();
        using var ended = new CancellationTokenSource();
        ended.Cancel();
        var renew = new HistoryEntry(0, OpKind.RenewAfter, 1) { Invoked = 1, Answered = 2, Token = a.Token, LiveAtReply = [a.Token] };
        var retire1 = new HistoryEntry(0, OpKind.Retire, 1) { Invoked = 3, Answered = 20 };
        var end = new HistoryEntry(2, OpKind.EndLife, 0) { Invoked = 4, Answered = 6 };
        var retire2 = new HistoryEntry(1, OpKind.Retire, 2) { Invoked = 5, Answered = 8, LiveAtReply = [a.Token] };
        var refused = new HistoryEntry(1, OpKind.RenewAfter, 1) { Invoked = 9, Answered = 10, Outcome = Outcome.Disposed, LiveAtReply = [a.Token] };
        var endedRenew = new HistoryEntry(1, OpKind.Renew, 2) { Invoked = 11, Answered = 12, Outcome = Outcome.Ended, Token = ended.Token };
        var cancelled = new Dictionary<CancellationToken, bool> { [a.Token] = true };

        Assert.Null(LinearizabilityChecker.Check([renew, retire1, end, retire2, refused, endedRenew], cancelled));

        // Had slot 1's retirement been requested after the end was observed (the ended renew of slot 2
        // answered first), its renews could not throw.
        var lateRetire1 = new HistoryEntry(0, OpKind.Retire, 1) { Invoked = 13, Answered = 14 };
        var lateRefused = new HistoryEntry(0, OpKind.Renew, 1) { Invoked = 15, Answered = 16, Outcome = Outcome.Disposed };
        Assert.NotNull(LinearizabilityChecker.Check([renew, end, retire2, endedRenew, lateRetire1, lateRefused], cancelled));
    }

    [Fact]
    public void Check_RenewsAroundARetirementRequest_RefusedOnesAcceptedAdmittedOnesUntilItIsProcessed()
    {
        // The call site refuses a renew once the retirement is requested, while the slot's token is still
        // live (a touch sees it), and a renew that passed the call site just before is still admitted and may
        // be processed after that refusal (seed 931332513's shape). A renew answered live after the
        // retirement answered is rejected.
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        using var c = new CancellationTokenSource();
        var renew = new HistoryEntry(0, OpKind.Renew, 1) { Invoked = 1, Answered = 2, Token = a.Token };
        var admitted = new HistoryEntry(1, OpKind.Renew, 1) { Invoked = 3, Answered = 9, Token = b.Token };
        var retire = new HistoryEntry(0, OpKind.Retire, 1) { Invoked = 4, Answered = 12 };
        var refused = new HistoryEntry(2, OpKind.Renew, 1) { Invoked = 5, Answered = 6, Outcome = Outcome.Disposed };
        var touch = new HistoryEntry(2, OpKind.TouchLonger, 1) { Invoked = 7, Answered = 8, Flag = true, LiveAtReply = [a.Token] };

        Assert.Null(LinearizabilityChecker.Check([renew, admitted, retire, refused, touch], new Dictionary<CancellationToken, bool> { [a.Token] = true, [b.Token] = true }));

        var late = new HistoryEntry(1, OpKind.Renew, 1) { Invoked = 13, Answered = 14, Token = c.Token };
        Assert.NotNull(LinearizabilityChecker.Check([renew, retire, late], new Dictionary<CancellationToken, bool> { [a.Token] = true, [c.Token] = false }));
    }

    [Fact]
    public void Check_RetirementAfterTheEndWasObserved_RenewRefused_Rejected()
    {
        // Bug 11's shapes (seeds 268673430, 795511830): the end is observed (an explicit DisposeAsync that
        // completed, a touch that found the end had ended the slot's token), then a slot is retired: that
        // retirement comes after the end, so the slot's renews answer the ended token and never throw.
        using var x = new CancellationTokenSource();
        using var ended = new CancellationTokenSource();
        ended.Cancel();
        var end = new HistoryEntry(1, OpKind.EndLife, 0) { Invoked = 1, Answered = 100 };
        var first = new HistoryEntry(2, OpKind.Renew, 2) { Invoked = 2, Answered = 3, Outcome = Outcome.Ended, Token = ended.Token };
        var dispose = new HistoryEntry(2, OpKind.Dispose, 0) { Invoked = 4, Answered = 5 };
        var retire = new HistoryEntry(2, OpKind.Retire, 1) { Invoked = 6, Answered = 7 };
        var second = new HistoryEntry(2, OpKind.Renew, 2) { Invoked = 8, Answered = 9, Outcome = Outcome.Ended, Token = ended.Token };
        var renew = new HistoryEntry(2, OpKind.Renew, 1) { Invoked = 10, Answered = 11, Outcome = Outcome.Disposed };
        var none = new Dictionary<CancellationToken, bool>();

        Assert.NotNull(LinearizabilityChecker.Check([end, first, dispose, retire, second, renew], none));
        renew.Outcome = Outcome.Ended;
        renew.Token = ended.Token;
        Assert.Null(LinearizabilityChecker.Check([end, first, dispose, retire, second, renew], none));

        var live = new HistoryEntry(0, OpKind.Renew, 0) { Invoked = 2, Answered = 3, Token = x.Token };
        var touch = new HistoryEntry(0, OpKind.TouchZero, 0) { Invoked = 4, Answered = 5, Flag = false };
        var refused = new HistoryEntry(0, OpKind.Renew, 1) { Invoked = 10, Answered = 11, Outcome = Outcome.Disposed };
        var cancelled = new Dictionary<CancellationToken, bool> { [x.Token] = true };
        Assert.NotNull(LinearizabilityChecker.Check([end, live, touch, retire, refused], cancelled));
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
    public void Check_CancelAnsweredWhileTheTokenItEndedIsLive_Rejected()
    {
        // Order (a) of issue 10 in its simplest form: the final states agree, only the reply's view does not.
        using var source = new CancellationTokenSource();
        var renew = new HistoryEntry(0, OpKind.Renew, 0) { Invoked = 1, Answered = 2, Token = source.Token, LiveAtReply = [source.Token] };
        var cancel = new HistoryEntry(0, OpKind.Cancel, 0) { Invoked = 3, Answered = 4, LiveAtReply = [source.Token] };

        var failure = LinearizabilityChecker.Check([renew, cancel], new Dictionary<CancellationToken, bool> { [source.Token] = true });

        Assert.NotNull(failure);
        Assert.StartsWith(LinearizabilityChecker.ReplyFailure, failure, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SecondRenewAnsweredWhileTheFirstRenewsEndIsLive_Rejected()
    {
        // Order (b): R1 ends t0 and waits; R2 ends t1 (so follows R1) and answers while t0 is live.
        using var t0 = new CancellationTokenSource();
        using var t1 = new CancellationTokenSource();
        using var t2 = new CancellationTokenSource();
        var first = new HistoryEntry(0, OpKind.Renew, 0) { Invoked = 1, Answered = 2, Token = t0.Token };
        var r1 = new HistoryEntry(0, OpKind.Renew, 0) { Invoked = 3, Answered = 9, Token = t1.Token, LiveAtReply = [t2.Token] };
        var r2 = new HistoryEntry(1, OpKind.Renew, 0) { Invoked = 4, Answered = 6, Token = t2.Token, LiveAtReply = [t0.Token, t2.Token] };
        var cancelled = new Dictionary<CancellationToken, bool> { [t0.Token] = true, [t1.Token] = true, [t2.Token] = false };

        var failure = LinearizabilityChecker.Check([first, r1, r2], cancelled);

        Assert.NotNull(failure);
        Assert.StartsWith(LinearizabilityChecker.ReplyFailure, failure, System.StringComparison.Ordinal);

        // The same history with t0 ended at R2's reply is linearizable.
        r2.LiveAtReply = [t2.Token];
        Assert.Null(LinearizabilityChecker.Check([first, r1, r2], cancelled));
    }

    [Fact]
    public void Check_TouchBeforeAnOverlappingRenewSeesTheOldTokenLive_Accepted()
    {
        using var t0 = new CancellationTokenSource();
        using var t1 = new CancellationTokenSource();
        var first = new HistoryEntry(0, OpKind.Renew, 0) { Invoked = 1, Answered = 2, Token = t0.Token };
        var renew = new HistoryEntry(0, OpKind.Renew, 0) { Invoked = 3, Answered = 8, Token = t1.Token, LiveAtReply = [t1.Token] };
        var touch = new HistoryEntry(1, OpKind.TouchLonger, 0) { Invoked = 4, Answered = 5, Flag = true, LiveAtReply = [t0.Token] };

        Assert.Null(LinearizabilityChecker.Check([first, renew, touch], new Dictionary<CancellationToken, bool> { [t0.Token] = true, [t1.Token] = false }));
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
