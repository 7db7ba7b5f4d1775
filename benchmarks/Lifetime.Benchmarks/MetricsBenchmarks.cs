using System;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Lifetime.Benchmarks;

/// <summary>
/// What the <c>Lifetime</c> meter costs the single-caller synchronous renew: with no listener (target:
/// nothing measurable, at most 2 % over the plain renew) and with a listener that enables every
/// instrument of the meter (target: at most 15 ns more per renew). The listener's callbacks only add to a
/// field, so the figure is the instruments' cost, not an exporter's.
/// </summary>
/// <remarks>
/// Two jobs in one run: the normal build, and a build of Lifetime.Core without its recording sites
/// (<c>-p:LifetimeNoMeter=true</c>, job "no meter"), the baseline for the "nothing measurable" target. In
/// the "no meter" job the listening row is a control: a listener attached to a build that records nothing.
/// Run it without <c>--job</c>: the jobs come from <see cref="MeterBuildsConfig"/>.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(MeterBuildsConfig))]
public class MetricsBenchmarks
{
    private TokenOwner _owner = null!;
    private SummingLifetimeListener? _listener;

    /// <summary>Whether a listener enabling every Lifetime instrument is attached.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _listener = Listening ? new SummingLifetimeListener() : null;
        _owner = new TokenOwner();
        Console.WriteLine($"// Lifetime.Core recording sites compiled in: {LifetimeMetrics.Recording}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _owner.Dispose();
        _listener?.Dispose();
    }

    [Benchmark(Description = "TokenOwner.Renew (synchronous)")]
    public CancellationToken Renew() => _owner.Renew();

    /// <summary>The normal build and the build without the meter's recording sites, side by side.</summary>
    private sealed class MeterBuildsConfig : ManualConfig
    {
        public MeterBuildsConfig()
        {
            AddJob(Job.Default.WithId("meter").AsBaseline());
            AddJob(Job.Default.WithArguments([new MsBuildArgument("/p:LifetimeNoMeter=true")]).WithId("no meter"));
        }
    }
}
