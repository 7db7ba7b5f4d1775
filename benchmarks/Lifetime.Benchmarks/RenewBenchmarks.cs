using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Lifetime.Benchmarks;

/// <summary>One caller renewing in a loop: the seed's one-field usage.</summary>
[MemoryDiagnoser]
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

    [Benchmark(Description = "await TokenOwner.RenewAsync")]
    public Task<CancellationToken> LifetimeRenew() => RenewAsync(_owner);

    private static async Task<CancellationToken> RenewAsync(TokenOwner owner) => await owner.RenewAsync();
}
