using System.Diagnostics;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Reliability.Tests.Model;
using Xunit.Abstractions;

namespace Lifetime.Reliability.Tests;

/// <summary>
/// Guarantees 2, 3, 4, 6, 7, 8 and 9 step by step: at least 10,000 random sequences of up to 50
/// operations (bad inputs, throwing callbacks and a throwing reporter included) against the model, each
/// renew, cancel, touch and cancel-all in its synchronous or async form by the seed, every token's end
/// cause predicted, and the outer token fired before or after an explicit disposal (guarantee 7 v2).
/// </summary>
public sealed class SequentialModelTests : ReliabilityTest
{
    private const int MaxLength = 50;

    public SequentialModelTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void RandomSequences_AgainstModel_EveryStepAgrees()
    {
        var started = Stopwatch.StartNew();
        var result = SequenceRunner.Run(Scale.Of(10_000), MaxLength);

        Figures.Record(Output, "Sequential model check", $"{result.Sequences} sequences, {result.Operations} operations, {started.Elapsed.TotalSeconds:F1} s");
        Assert.True(result.Failure is null, result.Failure);
        Assert.True(result.Sequences >= Scale.Of(10_000) || Scale.ReplaySeed is not null);
    }

    [Fact]
    public void RandomSequences_OwnerSkipsCancelOnSlots_CheckerReportsSeed()
    {
        var result = SequenceRunner.Run(2_000, MaxLength, Sabotage.SkipCancelOnSlots);

        Output.WriteLine(result.Failure ?? "no failure");
        Assert.NotNull(result.Failure);
        Assert.Contains("LIFETIME_SEED=", result.Failure, System.StringComparison.Ordinal);
    }

    [Fact]
    public void RandomSequences_OwnerSkipsDispose_CheckerReportsSeed()
    {
        var result = SequenceRunner.Run(200, MaxLength, Sabotage.SkipOwnerDispose);

        Output.WriteLine(result.Failure ?? "no failure");
        Assert.NotNull(result.Failure);
    }

    [Fact]
    public void RandomSequences_EndOfLifeTakenForDispose_CheckerReportsSeed()
    {
        var result = SequenceRunner.Run(2_000, MaxLength, Sabotage.EndOfLifeAsDispose);

        Output.WriteLine(result.Failure ?? "no failure");
        Assert.NotNull(result.Failure);
        Assert.Contains("FireOuter", result.Failure, System.StringComparison.Ordinal);
    }

    [Fact]
    public void RandomSequences_CancelAllMislabelled_CheckerReportsEndCause()
    {
        var result = SequenceRunner.Run(2_000, MaxLength, Sabotage.MislabelCancelAll);

        Output.WriteLine(result.Failure ?? "no failure");
        Assert.NotNull(result.Failure);
        Assert.Contains("GetEndCause", result.Failure, System.StringComparison.Ordinal);
    }

    [Fact]
    public void RandomSequences_SyncCancelSkipsItsWork_CheckerReportsSeed()
    {
        var result = SequenceRunner.Run(2_000, MaxLength, Sabotage.SkipSyncCancel);

        Output.WriteLine(result.Failure ?? "no failure");
        Assert.NotNull(result.Failure);
        Assert.Contains("sync CancelAndDispose", result.Failure, System.StringComparison.Ordinal);
    }
}
