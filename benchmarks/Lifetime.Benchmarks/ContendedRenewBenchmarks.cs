using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Lifetime.Benchmarks;

/// <summary>
/// Several callers renewing one owner at once. Each invocation runs <see cref="Callers"/> threads of
/// <see cref="PerCaller"/> renews; the figure is per operation.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ContendedRenewBenchmarks
{
    private const int PerCaller = 2_000;

    private LockBasedOwner _lockBased = null!;
    private TokenOwner _owner = null!;

    [Params(2, 8)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _lockBased = new LockBasedOwner();
        _owner = new TokenOwner();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _lockBased.Dispose();
        _owner.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PerCaller, Description = "lock-based Renew, contended")]
    public void LockBased() => CallerThreads.Run(Callers, PerCaller, () =>
    {
        for (var i = 0; i < PerCaller / Callers; i++)
        {
            _lockBased.Renew();
        }

        return Task.CompletedTask;
    });

    [Benchmark(OperationsPerInvoke = PerCaller, Description = "await RenewAsync, contended")]
    public void Lifetime() => CallerThreads.Run(Callers, PerCaller, async () =>
    {
        for (var i = 0; i < PerCaller / Callers; i++)
        {
            await _owner.RenewAsync();
        }
    });
}
