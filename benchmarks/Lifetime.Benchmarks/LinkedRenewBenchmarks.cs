using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Lifetime.Benchmarks;

/// <summary>
/// Renews with one link, by 1, 2 and 8 callers at once on one owner: the lock-based owner's linked renew
/// (a <c>CreateLinkedTokenSource</c> per token, as the helper this project replaces does) against
/// <c>RenewLinkedAsync</c> and the synchronous <c>RenewLinked</c>. The link is never cancelled. With the
/// same link every time (a session's token, the host's stopping token) the owner keeps its registration
/// from token to token, while each linked source must register anew; the "two links in turn" rows pass
/// two links alternately, so that every renew registers and removes one on both sides. The figure is per
/// operation.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class LinkedRenewBenchmarks
{
    private const int Operations = 32_000;

    private readonly CancellationTokenSource _link = new();
    private readonly CancellationTokenSource _otherLink = new();
    private readonly LockBasedOwner _lockBased = new();
    private readonly TokenOwner _owner = new();
    private CallerThreads _callers = null!;

    [Params(1, 2, 8)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup() => _callers = new CallerThreads(Callers);

    [GlobalCleanup]
    public void Cleanup()
    {
        _callers.Dispose();
        _owner.Dispose();
        _lockBased.Dispose();
        _link.Dispose();
        _otherLink.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations, Description = "lock-based RenewLinked (CreateLinkedTokenSource)")]
    public void LockBased()
    {
        var link = _link.Token;
        var share = _callers.Share(Operations);
        _callers.Run(() =>
        {
            for (var i = 0; i < share; i++)
            {
                _lockBased.RenewLinked(link);
            }

            return Task.CompletedTask;
        });
    }

    [Benchmark(OperationsPerInvoke = Operations, Description = "await RenewLinkedAsync(one link)")]
    public void LifetimeAsync()
    {
        var link = _link.Token;
        var share = _callers.Share(Operations);
        _callers.Run(async () =>
        {
            for (var i = 0; i < share; i++)
            {
                await _owner.RenewLinkedAsync(link);
            }
        });
    }

    [Benchmark(OperationsPerInvoke = Operations, Description = "RenewLinked(one link), synchronous")]
    public void LifetimeSync()
    {
        var link = _link.Token;
        var share = _callers.Share(Operations);
        _callers.Run(() =>
        {
            for (var i = 0; i < share; i++)
            {
                _owner.RenewLinked(link);
            }

            return Task.CompletedTask;
        });
    }

    [Benchmark(OperationsPerInvoke = Operations, Description = "lock-based RenewLinked, two links in turn")]
    public void LockBasedAlternating()
    {
        var links = new[] { _link.Token, _otherLink.Token };
        var share = _callers.Share(Operations);
        _callers.Run(() =>
        {
            for (var i = 0; i < share; i++)
            {
                _lockBased.RenewLinked(links[i & 1]);
            }

            return Task.CompletedTask;
        });
    }

    [Benchmark(OperationsPerInvoke = Operations, Description = "RenewLinked, two links in turn, synchronous")]
    public void LifetimeSyncAlternating()
    {
        var links = new[] { _link.Token, _otherLink.Token };
        var share = _callers.Share(Operations);
        _callers.Run(() =>
        {
            for (var i = 0; i < share; i++)
            {
                _owner.RenewLinked(links[i & 1]);
            }

            return Task.CompletedTask;
        });
    }
}
