using System;
using System.Diagnostics;
using System.Threading;

namespace Lifetime;

/// <summary>
/// The single-drainer rule of a mailbox: at most one thread at a time holds the gate and processes
/// messages. Whoever posts into an idle mailbox enters and drains it; anyone else leaves the message for
/// the holder.
/// </summary>
/// <remarks>
/// The holder must release with <see cref="Exit"/> (a full fence) and then look at its queue once more:
/// a message posted after its last read but before the release saw the gate held and left, so without
/// that second look it would be stranded.
/// </remarks>
internal struct DrainGate
{
    // The current thread's managed id, cached: read on every entry, where the call to
    // Environment.CurrentManagedThreadId showed in the single-caller profile.
    [ThreadStatic]
    private static int s_threadId;

    private int _held;
    private int _holderThread;

    /// <summary>Takes the gate if it is free.</summary>
    public bool TryEnter()
    {
        if (Interlocked.CompareExchange(ref _held, 1, 0) != 0)
        {
            return false;
        }

        _holderThread = CurrentThreadId();
        return true;
    }

    /// <summary>Records that the gate, held since a hand-off, is now held by the current thread.</summary>
    public void Resume()
    {
        Debug.Assert(Volatile.Read(ref _held) == 1, "Only a holder can resume.");
        _holderThread = CurrentThreadId();
    }

    /// <summary>Keeps the gate held while the holder hands draining to another thread.</summary>
    public void Suspend() => _holderThread = 0;

    /// <summary>Releases the gate with a full fence.</summary>
    public void Exit()
    {
        _holderThread = 0;
        Interlocked.Exchange(ref _held, 0);
    }

    /// <summary>Whether some thread holds the gate (a snapshot).</summary>
    public bool IsHeld() => Volatile.Read(ref _held) != 0;

    /// <summary>
    /// Whether the current thread holds the gate, i.e. is inside the processing path (for example a
    /// cancellation callback calling back into its owner). Only the holder writes its own thread id, so
    /// a stale read can never claim the gate for the wrong thread.
    /// </summary>
    public bool IsHeldByCurrentThread() => Volatile.Read(ref _holderThread) == CurrentThreadId();

    private static int CurrentThreadId()
    {
        var id = s_threadId;
        return id != 0 ? id : s_threadId = Environment.CurrentManagedThreadId;
    }
}
