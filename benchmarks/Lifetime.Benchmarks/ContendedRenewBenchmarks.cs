using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Lifetime.Benchmarks;

/// <summary>
/// Several callers renewing one owner at once. Each invocation releases <see cref="Callers"/> threads
/// (started once, in the global setup) that share <see cref="Operations"/> renews; the figure is per operation.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ContendedRenewBenchmarks
{
    private const int Operations = 32_000;

    private LockBasedOwner _lockBased = null!;
    private TokenOwner _owner = null!;
    private CallerThreads _callers = null!;

    [Params(2, 8)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _lockBased = new LockBasedOwner();
        _owner = new TokenOwner();
        _callers = new CallerThreads(Callers);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _callers.Dispose();
        _lockBased.Dispose();
        _owner.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations, Description = "lock-based Renew, contended")]
    public void LockBased()
    {
        var share = _callers.Share(Operations);
        _callers.Run(() =>
        {
            for (var i = 0; i < share; i++)
            {
                _lockBased.Renew();
            }

            return Task.CompletedTask;
        });
    }

    [Benchmark(OperationsPerInvoke = Operations, Description = "await RenewAsync, contended")]
    public void Lifetime()
    {
        var share = _callers.Share(Operations);
        _callers.Run(async () =>
        {
            for (var i = 0; i < share; i++)
            {
                await _owner.RenewAsync();
            }
        });
    }
}
