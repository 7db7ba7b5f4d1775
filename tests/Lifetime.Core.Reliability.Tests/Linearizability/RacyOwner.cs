using System;
using System.Threading;

namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>
/// A planted bug: slots kept in plain fields with no lock and no mailbox, with hook points in the
/// read-modify-write windows. Two renews of one slot can both end the same previous token and leave two
/// live tokens; the linearizability checker must reject such histories.
/// </summary>
public sealed class RacyOwner : IConcurrentSubject
{
    private readonly CancellationTokenSource?[] _current = new CancellationTokenSource?[3];
    private readonly bool[] _retired = new bool[3];
    private volatile bool _disposed;

    public CancellationToken Renew(int slot, bool timed)
    {
        if (_disposed || _retired[slot])
        {
            throw new ObjectDisposedException(nameof(RacyOwner));
        }

        var next = new CancellationTokenSource();
        var previous = _current[slot];
        ScheduleHooks.At(HookPoint.BeforeProcess);
        _current[slot] = next;
        previous?.Cancel();
        return next.Token;
    }

    public void Cancel(int slot) => End(slot);

    public bool Touch(int slot, bool zero)
    {
        var current = _current[slot];
        if (_disposed || current is null)
        {
            return false;
        }

        if (zero)
        {
            End(slot);
        }

        return true;
    }

    public bool IsCurrent(int slot, CancellationToken token) =>
        _current[slot] is { } current && current.Token == token && !token.IsCancellationRequested;

    public void CancelAll()
    {
        for (var i = 0; i < _current.Length; i++)
        {
            End(i);
        }
    }

    public void Retire(int slot)
    {
        _retired[slot] = true;
        End(slot);
    }

    public void Dispose()
    {
        _disposed = true;
        CancelAll();
    }

    public void Audit() => Dispose();

    private void End(int slot)
    {
        var current = _current[slot];
        ScheduleHooks.At(HookPoint.BeforeCancel);
        _current[slot] = null;
        current?.Cancel();
    }
}
