using System.Threading;

namespace GameServer.Reporting;

/// <summary>A <see cref="CancellationTokenSource"/> that tells a <see cref="SourceCounter"/> when it is created and disposed.</summary>
internal sealed class CountingTokenSource : CancellationTokenSource
{
    private readonly SourceCounter _counter;
    private int _disposed;

    public CountingTokenSource(SourceCounter counter)
    {
        _counter = counter;
        counter.OnCreated();
    }

    protected override void Dispose(bool disposing)
    {
        // Dispose() may be called more than once; count the first.
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _counter.OnDisposed();
        }

        base.Dispose(disposing);
    }
}
