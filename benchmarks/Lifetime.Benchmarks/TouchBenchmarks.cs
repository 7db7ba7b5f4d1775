using System;
using System.Threading;
using BenchmarkDotNet.Attributes;

namespace Lifetime.Benchmarks;

/// <summary>
/// Re-arming one deadline on the system clock: a touch of a slot's live token against re-arming a raw
/// <c>CancelAfter</c> on one source, with the clock read a touch needs as a floor.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TouchBenchmarks
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(30);

    private readonly CancellationTokenSource _source = new();
    private readonly TokenOwner _owner = new();

    [GlobalSetup]
    public void Setup()
    {
        _source.CancelAfter(s_timeout);
        _owner.RenewAfter(s_timeout);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _owner.Dispose();
        _source.Dispose();
    }

    [Benchmark(Baseline = true, Description = "re-arm: CancelAfter(30 min) on one source")]
    public void RearmCancelAfter() => _source.CancelAfter(s_timeout);

    [Benchmark(Description = "Touch(30 min), synchronous")]
    public bool Touch() => _owner.Touch(s_timeout);

    [Benchmark(Description = "await TouchAsync(30 min)")]
    public bool TouchAsync()
    {
        var touch = _owner.TouchAsync(s_timeout);
        return touch.IsCompletedSuccessfully ? touch.Result : touch.AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "TimeProvider.System.GetTimestamp() (the clock read of a touch)")]
    public long ClockRead() => TimeProvider.System.GetTimestamp();
}
