using System.Threading;
using BenchmarkDotNet.Attributes;

namespace Lifetime.Benchmarks;

/// <summary>One caller renewing in a loop: the seed's one-field usage.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class RenewBenchmarks
{
    private readonly LockBasedOwner _lockBased = new();
    private readonly TokenOwner _owner = new();

    [GlobalCleanup]
    public void Cleanup()
    {
        _lockBased.Dispose();
        _owner.Dispose();
    }

    [Benchmark(Description = "new+Cancel+Dispose (raw CTS)")]
    public CancellationToken RawSource()
    {
        var source = new CancellationTokenSource();
        var token = source.Token;
        source.Cancel();
        source.Dispose();
        return token;
    }

    [Benchmark(Baseline = true, Description = "lock-based Renew")]
    public CancellationToken LockBasedRenew() => _lockBased.Renew();

    // What `await owner.RenewAsync()` costs: an uncontended renew completes synchronously, and awaiting
    // a completed ValueTask only reads its result. (An async benchmark method would add the harness's own
    // Task per call, 72 B, to both the time and the allocation column.)
    [Benchmark(Description = "await TokenOwner.RenewAsync")]
    public CancellationToken LifetimeRenew()
    {
        var renew = _owner.RenewAsync();
        return renew.IsCompletedSuccessfully ? renew.Result : renew.AsTask().GetAwaiter().GetResult();
    }

    // The synchronous form, the seed's own call shape: on an idle owner it runs on the caller's thread.
    [Benchmark(Description = "TokenOwner.Renew (synchronous)")]
    public CancellationToken LifetimeRenewSync() => _owner.Renew();
}
