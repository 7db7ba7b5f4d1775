using System;
using System.Threading;

namespace Lifetime.Benchmarks;

/// <summary>
/// The baseline: a lock-based owner of one CancellationTokenSource field, written the way the well-known
/// helper this project replaces is written (swap under a lock, cancel and dispose the old source outside
/// it, report or rethrow exceptions of Cancel). Our own code, kept only for side-by-side measurement.
/// </summary>
public sealed class LockBasedOwner : IDisposable
{
    private readonly object _gate = new();
    private CancellationTokenSource? _current;
    private bool _disposed;

    public CancellationToken Renew() => Install(new CancellationTokenSource());

    /// <summary>The helper's linked renew: a linked source per token.</summary>
    public CancellationToken RenewLinked(params CancellationToken[] links) => Install(CancellationTokenSource.CreateLinkedTokenSource(links));

    public CancellationToken RenewAfter(TimeSpan timeout)
    {
        var next = new CancellationTokenSource();
        next.CancelAfter(timeout);
        return Install(next);
    }

    public void CancelAndDispose()
    {
        CancellationTokenSource? old;
        lock (_gate)
        {
            old = _current;
            _current = null;
        }

        End(old);
    }

    public void Dispose()
    {
        CancellationTokenSource? old;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            old = _current;
            _current = null;
        }

        End(old);
    }

    private CancellationToken Install(CancellationTokenSource next)
    {
        CancellationTokenSource? old;
        var token = next.Token;
        lock (_gate)
        {
            if (_disposed)
            {
                next.Dispose();
                throw new ObjectDisposedException(nameof(LockBasedOwner));
            }

            old = _current;
            _current = next;
        }

        End(old);
        return token;
    }

    private static void End(CancellationTokenSource? source)
    {
        if (source is null)
        {
            return;
        }

        try
        {
            source.Cancel();
        }
        catch (AggregateException)
        {
            // Reported and swallowed in the original; nothing registers callbacks here.
        }
        finally
        {
            source.Dispose();
        }
    }
}
