using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Reliability.Tests.Infrastructure;

namespace Lifetime.Reliability.Tests.Races;

/// <summary>
/// A planted bug: the seed's helper without its lock. Renew and Dispose read and write the current source
/// unsynchronised, with hook points in the windows, so a Dispose that lands between Renew's check and its
/// write leaves a live, undisposed source behind (or two threads end the same source). The race checks
/// must catch it.
/// </summary>
public sealed class NaiveOwner : IRaceSubject
{
    private readonly LeakLedger _ledger;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _current;
    private volatile bool _disposed;

    public NaiveOwner(LeakLedger ledger) => _ledger = ledger;

    public Task Completion => _completion.Task;

    public ValueTask<CancellationToken> RenewAsync()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(NaiveOwner));
        }

        var next = _ledger.Create();
        ScheduleHooks.At(HookPoint.AfterEnqueue);
        var previous = _current;
        ScheduleHooks.At(HookPoint.BeforeProcess);
        _current = next;
        previous?.Cancel();
        previous?.Dispose();
        return new ValueTask<CancellationToken>(next.Token);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    public void Dispose()
    {
        _disposed = true;
        ScheduleHooks.At(HookPoint.InDispose);
        var current = _current;
        _current = null;
        current?.Cancel();
        current?.Dispose();
        _completion.TrySetResult();
    }
}
