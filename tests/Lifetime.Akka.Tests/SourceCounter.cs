using System.Threading;

namespace Lifetime.Akka.Tests;

/// <summary>Counts the sources an owner creates (through <see cref="TokenOwnerOptions.SourceFactory"/>) and disposes.</summary>
public sealed class SourceCounter
{
    private int _created;
    private int _disposed;

    public int Created => Volatile.Read(ref _created);

    public int Disposed => Volatile.Read(ref _disposed);

    public int Live => Created - Disposed;

    public CancellationTokenSource Create()
    {
        Interlocked.Increment(ref _created);
        return new CountingSource(this);
    }

    public TokenOwnerOptions Options() => new() { SourceFactory = Create };

    private sealed class CountingSource : CancellationTokenSource
    {
        private readonly SourceCounter _counter;
        private int _disposedOnce;

        public CountingSource(SourceCounter counter) => _counter = counter;

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposedOnce, 1) == 0)
            {
                Interlocked.Increment(ref _counter._disposed);
            }

            base.Dispose(disposing);
        }
    }
}
