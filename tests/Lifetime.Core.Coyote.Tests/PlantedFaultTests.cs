using Lifetime.Coyote.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Lifetime.Coyote.Tests;

/// <summary>
/// The exploration finds each fixed bug once it is planted back into the hooked build of Core
/// (<see cref="ScheduleHooks.Planted"/>): bug 5 within the default iteration budget of a race, the stranded
/// request (found as a hang, each taking the 5 s hang timeout to report) within five times that.
/// </summary>
public sealed class PlantedFaultTests : CoyoteTest
{
    public PlantedFaultTests(ITestOutputHelper output)
        : base(output)
    {
    }

    public static TheoryData<CallbackPlacement, Races.Ending> DispatchedEndings => new()
    {
        { CallbackPlacement.SynchronizationContext, Races.Ending.CancelAndDispose },
        { CallbackPlacement.SynchronizationContext, Races.Ending.CancelAll },
        { CallbackPlacement.SynchronizationContext, Races.Ending.TouchZero },
        { CallbackPlacement.ThreadPool, Races.Ending.CancelAndDispose },
        { CallbackPlacement.ThreadPool, Races.Ending.CancelAll },
        { CallbackPlacement.ThreadPool, Races.Ending.TouchZero },
    };

    /// <summary>Issue 10 item 0 (docs/reliability.md bug 5): a renew answered while t0, detached by a racing end, was live.</summary>
    [Theory]
    [MemberData(nameof(DispatchedEndings))]
    public void RenewVersusEnding_ReplyIgnoresEarlierEndsPlanted_Found(CallbackPlacement placement, Races.Ending ending)
    {
        var result = ExplorePlanted($"Planted-RenewVersus{ending}-{placement}", PlantedFault.ReplyIgnoresEarlierEnds, () => Races.RenewVersusEnding(placement, ending), Exploration.DefaultIterations);
        Assert.True(result.Bugs == 1, $"The planted bug was not found: {result.Summary}");
        Assert.Contains("while t0 was live", result.Report, System.StringComparison.Ordinal);
    }

    /// <summary>Order (b) of the same bug: the renew ordered second answered while t0 was live.</summary>
    [Theory]
    [InlineData(CallbackPlacement.SynchronizationContext)]
    [InlineData(CallbackPlacement.ThreadPool)]
    public void RenewVersusRenew_ReplyIgnoresEarlierEndsPlanted_Found(CallbackPlacement placement)
    {
        var result = ExplorePlanted($"Planted-RenewVersusRenew-{placement}", PlantedFault.ReplyIgnoresEarlierEnds, () => Races.RenewVersusRenew(placement), Exploration.DefaultIterations);
        Assert.True(result.Bugs == 1, $"The planted bug was not found: {result.Summary}");
    }

    /// <summary>A drainer that leaves without a second look at the mailbox strands a request: its caller never hears back.</summary>
    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.SynchronizationContext)]
    public void RenewVersusRenew_NoSecondLookAfterGateExitPlanted_Found(CallbackPlacement placement)
    {
        // Found within 2 to 105 iterations over 16 seeded runs; the budget leaves room (the run stops at the bug).
        var result = ExplorePlanted($"Planted-NoSecondLook-{placement}", PlantedFault.NoSecondLookAfterGateExit, () => Races.RenewVersusRenew(placement), 5 * Exploration.DefaultIterations);
        Assert.True(result.Bugs == 1, $"The planted bug was not found: {result.Summary}");
    }
}
