using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime.Benchmarks;

/// <summary>
/// The callers of the multi-caller benchmarks: threads started once, in the benchmark's global setup,
/// and released together for each invocation. Starting threads per invocation (as this class first did)
/// cost more than the renews it was there to contend: 8 thread starts per 2,000 renews put the
/// lock-based owner at 1,000–2,000 ns per renew at 8 callers, against about 25 ns alone.
/// </summary>
internal sealed class CallerThreads : IDisposable
{
    private readonly Thread[] _threads;

    // The callers and the benchmark's thread: phase 1 releases the callers, phase 2 waits for all of them.
    private readonly Barrier _barrier;
    private Func<Task>? _body;
    private ExceptionDispatchInfo? _failure;
    private volatile bool _stopping;

    /// <summary>Starts <paramref name="callers"/> threads; with one caller, the body runs on the benchmark's own thread.</summary>
    public CallerThreads(int callers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callers);
        Count = callers;
        _threads = new Thread[callers == 1 ? 0 : callers];
        _barrier = new Barrier(_threads.Length + 1);
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Loop) { IsBackground = true, Name = $"caller {i}" };
            _threads[i].Start();
        }
    }

    /// <summary>How many callers run the body.</summary>
    public int Count { get; }

    /// <summary>
    /// Runs <paramref name="body"/> once on every caller, all released together, and returns when all
    /// are done; the first exception of any caller is rethrown here.
    /// </summary>
    public void Run(Func<Task> body)
    {
        if (_threads.Length == 0)
        {
            body().GetAwaiter().GetResult();
            return;
        }

        _body = body;
        _barrier.SignalAndWait();
        _barrier.SignalAndWait();
        Interlocked.Exchange(ref _failure, null)?.Throw();
    }

    /// <summary>The share of <paramref name="operations"/> each caller runs; they must divide evenly.</summary>
    public int Share(int operations) =>
        operations % Count == 0
            ? operations / Count
            : throw new ArgumentOutOfRangeException(nameof(operations), operations, $"{Count} callers must divide the operations evenly.");

    public void Dispose()
    {
        _stopping = true;
        if (_threads.Length > 0)
        {
            _barrier.SignalAndWait();
            foreach (var thread in _threads)
            {
                thread.Join();
            }
        }

        _barrier.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            _barrier.SignalAndWait();
            if (_stopping)
            {
                return;
            }

            try
            {
                _body!().GetAwaiter().GetResult();
            }
#pragma warning disable CA1031 // Rethrown on the benchmark's thread by Run.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null);
            }

            _barrier.SignalAndWait();
        }
    }
}
