using System;
using Lifetime.Coyote.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Lifetime.Coyote.Tests;

/// <summary>
/// Each canonical race explored by Coyote on each placement, with every call in its synchronous or async
/// form by the engine's choice: <see cref="Exploration.DefaultIterations"/> schedules each by default, at
/// least <see cref="Exploration.SoakMinimum"/> under <c>LIFETIME_SOAK</c>.
/// </summary>
public sealed class RaceTests : CoyoteTest
{
    public RaceTests(ITestOutputHelper output)
        : base(output)
    {
    }

    private static readonly CallbackPlacement[] s_placements = [CallbackPlacement.Inline, CallbackPlacement.ThreadPool, CallbackPlacement.SynchronizationContext];

    public static TheoryData<CallbackPlacement> Placements => new(s_placements);

    public static TheoryData<CallbackPlacement, Races.Ending> PlacementsAndEndings
    {
        get
        {
            var data = new TheoryData<CallbackPlacement, Races.Ending>();
            foreach (var placement in s_placements)
            {
                foreach (var ending in Enum.GetValues<Races.Ending>())
                {
                    data.Add(placement, ending);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Placements))]
    public void RenewVersusRenew_AllSchedules_PreviousTokensEndedAtEveryReply(CallbackPlacement placement) =>
        Explore($"RenewVersusRenew-{placement}", () => Races.RenewVersusRenew(placement));

    [Theory]
    [MemberData(nameof(PlacementsAndEndings))]
    public void RenewVersusEnding_AllSchedules_TokenEndedBeforeEitherReply(CallbackPlacement placement, Races.Ending ending) =>
        Explore($"RenewVersus{ending}-{placement}", () => Races.RenewVersusEnding(placement, ending));

    [Theory]
    [MemberData(nameof(PlacementsAndEndings))]
    public void EndingVersusEndOfLife_AllSchedules_TokenEndedAtLaterReplies(CallbackPlacement placement, Races.Ending ending) =>
        Explore($"{ending}VersusEndOfLife-{placement}", () => Races.EndingVersusEndOfLife(placement, ending));

    [Theory]
    [MemberData(nameof(Placements))]
    public void RenewVersusDispose_AllSchedules_AnsweredAndEndedOrRefused(CallbackPlacement placement) =>
        Explore($"RenewVersusDispose-{placement}", () => Races.RenewVersusDispose(placement));

    [Theory]
    [MemberData(nameof(Placements))]
    public void RenewsVersusEndOfLife_AllSchedules_EndOfLifeNeverThrows(CallbackPlacement placement) =>
        Explore($"RenewsVersusEndOfLife-{placement}", () => Races.RenewsVersusEndOfLife(placement));

    [Theory]
    [MemberData(nameof(Placements))]
    public void RetireVersusEndOfLife_AllSchedules_AnswersAgreeOnWhichCameFirst(CallbackPlacement placement) =>
        Explore($"RetireVersusEndOfLife-{placement}", () => Races.RetireVersusEndOfLife(placement));

    [Theory]
    [MemberData(nameof(Placements))]
    public void TimeoutVersusRenew_AllSchedules_PreviousTokenEndedOnce(CallbackPlacement placement) =>
        Explore($"TimeoutVersusRenew-{placement}", () => Races.TriggerVersusRenew(placement, link: false));

    [Theory]
    [MemberData(nameof(Placements))]
    public void LinkVersusRenew_AllSchedules_PreviousTokenEndedOnce(CallbackPlacement placement) =>
        Explore($"LinkVersusRenew-{placement}", () => Races.TriggerVersusRenew(placement, link: true));

    [Theory]
    [MemberData(nameof(Placements))]
    public void CallbackRenews_AllSchedules_NothingHangs(CallbackPlacement placement) =>
        Explore($"CallbackRenews-{placement}", () => Races.CallbackReentry(placement, disposeFromCallback: false));

    [Theory]
    [MemberData(nameof(Placements))]
    public void CallbackDisposes_AllSchedules_NothingHangs(CallbackPlacement placement) =>
        Explore($"CallbackDisposes-{placement}", () => Races.CallbackReentry(placement, disposeFromCallback: true));
}
