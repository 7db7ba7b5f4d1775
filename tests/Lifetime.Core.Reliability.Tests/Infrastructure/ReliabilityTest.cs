using System;
using System.Threading;
using Xunit.Abstractions;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// Base of every reliability test. After each test it checks, suite-wide: no unobserved task exception
/// (after a full collection and the finalizers), no tracked source finalized undisposed, no schedule hook
/// left installed, and no more active <see cref="Timer"/>s than when the test started.
/// </summary>
public abstract class ReliabilityTest : IDisposable
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(5);
    private readonly long _timersAtStart;
    private readonly string _timersAtStartDescribed;
    private readonly int _finalizedAtStart;

    static ReliabilityTest()
    {
        UnobservedExceptions.Subscribe();

        // In the capped thread-pool child run, tell the parent what the pool actually allows.
        if (Environment.GetEnvironmentVariable("LIFETIME_CHILD") is { Length: > 0 } report)
        {
            ThreadPool.GetMaxThreads(out var workers, out _);
            System.IO.File.WriteAllText(report, workers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    protected ReliabilityTest(ITestOutputHelper output)
    {
        Output = output;
        _timersAtStart = Timer.ActiveCount;
        _timersAtStartDescribed = ActiveTimers.Describe();
        _finalizedAtStart = LeakLedger.FinalizedUndisposedTotal;
    }

    protected ITestOutputHelper Output { get; }

    public void Dispose()
    {
        ScheduleHooks.Handler = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var unobserved = UnobservedExceptions.Drain();
        Assert.True(unobserved.Count == 0, $"{unobserved.Count} unobserved task exception(s): {string.Join(" | ", unobserved)}");
        Assert.True(LeakLedger.FinalizedUndisposedTotal == _finalizedAtStart, $"{LeakLedger.FinalizedUndisposedTotal - _finalizedAtStart} tracked sources were finalized without having been disposed.");

        // A timer of an awaited WaitAsync or Delay is released by its continuation, which may still be
        // running on the pool: wait, bounded, for the count to come back.
        var settled = SpinWait.SpinUntil(() => Timer.ActiveCount <= _timersAtStart, s_settle);
        Assert.True(settled, $"Timer.ActiveCount is {Timer.ActiveCount}, was {_timersAtStart} when the test started ({_timersAtStartDescribed}). Active now: {ActiveTimers.Describe()}.");
        GC.SuppressFinalize(this);
    }
}
