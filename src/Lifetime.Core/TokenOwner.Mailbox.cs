using System;
using System.Threading;

namespace Lifetime;

// The mailbox: posting messages, and draining them on whichever thread finds the owner idle (the
// caller's own, or the thread pool after a hand-off). One drainer at a time, held by the gate. Nothing
// here touches owner state; the processing path starts at Process.
public sealed partial class TokenOwner
{
    // Messages one drainer processes before it hands the rest to the thread pool, so that a caller
    // which happened to find the mailbox idle is not kept busy by everyone else's requests.
    private const int DrainBudget = 64;

    private static readonly WaitCallback s_drainOnThreadPool = static state => ((TokenOwner)state!).TakeOverHandedOffDrain();

    // Messages written into the mailbox minus messages a drainer has read. It may dip below zero for a
    // moment (a message read before its poster counted it); that poster then finds the gate and drains.
    private int _queued;

    // 1 while a drain handed to the thread pool has not been taken over yet (the gate stays held meanwhile).
    // The pool's work item and a blocked caller race for it; whoever takes it drains.
    private int _handedOff;

    /// <summary>Test hook: the registration on the outer token.</summary>
    internal CancellationTokenRegistration OuterRegistrationForTests => _outerRegistration;

    internal int QueuedForTests => Volatile.Read(ref _queued);

    /// <summary>
    /// Posts a message from the owner's machinery (deadline wheel, link, outer token). Dropped once the
    /// owner is closed: its disposal ends everything such a message could have ended.
    /// </summary>
    internal void PostInternal(IOwnerMessage message) => TryPost(message);

    /// <summary>
    /// Takes the gate when the owner is idle and nothing is waiting: the caller's message is then next
    /// in line anyway, and the caller can process it at once, without the round trip through the channel.
    /// </summary>
    private bool TryEnterIdle()
    {
        if (IsClosed || Volatile.Read(ref _queued) > 0 || !_gate.TryEnter())
        {
            return false;
        }

        if (Volatile.Read(ref _queued) > 0)
        {
            // Something arrived meanwhile and is ahead of us: let it go first, then post behind it.
            Drain();
            return false;
        }

        return true;
    }

    /// <summary>
    /// <see cref="TryEnterIdle"/> for a request run with the inline operation, which needs placement
    /// <see cref="CallbackPlacement.Inline"/>: only there is every request answered before its
    /// processing returns.
    /// </summary>
    private bool TryEnterIdleInline() => _placement == CallbackPlacement.Inline && TryEnterIdle();

    /// <summary>
    /// Processes the inline operation (the caller holds the gate), then drains whatever arrived meanwhile.
    /// The caller reads the reply before anyone else can hold the gate and reuse the operation, so the
    /// reply is copied out here, before the drain releases the gate.
    /// </summary>
    private InlineReply RunInline(Operation operation)
    {
        ScheduleHooks.At(HookPoint.BeforeProcess);
        Process(operation);
        var reply = operation.TakeInlineReply();
        ExitIdle();
        return reply;
    }

    /// <summary>
    /// <see cref="RunInline"/> for a renew without a timeout or a caller's source, processed without an
    /// operation when the owner's options allow it (see <see cref="RenewWithoutOperation"/>). Returns false
    /// when the owner is not idle, or when it is disposed or the slot retired and the renew needs the
    /// general path: nothing of the renew is done then, though the gate was taken and released (and
    /// <see cref="ExitIdle"/> may have drained other callers' messages).
    /// </summary>
    private bool TryRenewIdle(TokenSlot slot, TimeSpan timeout, in RequestedLinks links, out InlineReply reply)
    {
        if (!_renewsWithoutOperation || timeout != Timeout.InfiniteTimeSpan || !TryEnterIdle())
        {
            reply = default;
            return false;
        }

        ScheduleHooks.At(HookPoint.BeforeProcess);
        var renewed = RenewWithoutOperation(slot, links, out reply);
        ExitIdle();
        return renewed;
    }

    /// <summary>
    /// Leaves the processing path after a caller that found the owner idle processed its own message:
    /// drains only when something was counted meanwhile. With nothing counted, the caller does not touch
    /// the reader at all: a message written but not counted yet belongs to a poster that still has to
    /// count it and then try the gate, exactly as when <see cref="Drain"/> exits.
    /// </summary>
    private void ExitIdle()
    {
        if (Volatile.Read(ref _queued) > 0)
        {
            Drain();
            return;
        }

        ScheduleHooks.At(HookPoint.BeforeDrainExit);
        _gate.Exit();

        // A poster that counted its message after our look saw the gate held and left: look again.
#if LIFETIME_HOOKS
        if (ScheduleHooks.Planted == PlantedFault.NoSecondLookAfterGateExit)
        {
            CompleteIfDrained();
            return;
        }
#endif
        if (Volatile.Read(ref _queued) > 0 && _gate.TryEnter())
        {
            Drain();
            return;
        }

        CompleteIfDrained();
    }

    private bool TryPost(IOwnerMessage message)
    {
        if (TryEnterIdle())
        {
            ScheduleHooks.At(HookPoint.BeforeProcess);
            Process(message);
            ExitIdle();
            return true;
        }

        if (!TryEnqueue(message))
        {
            return false;
        }

        ScheduleHooks.At(HookPoint.AfterEnqueue);
        if (_gate.TryEnter())
        {
            Drain();
        }

        return true;
    }

    /// <summary>
    /// Writes into the mailbox and counts the message. The count, not the reader, tells a drainer that
    /// is leaving whether something arrived after its last read: only the holder of the gate may touch
    /// the single-reader channel's reader (even a peek moves the queue's consumer state).
    /// </summary>
    private bool TryEnqueue(IOwnerMessage message)
    {
        if (!_mailbox.Writer.TryWrite(message))
        {
            return false;
        }

        Interlocked.Increment(ref _queued);
        if (LifetimeMetrics.Recording && LifetimeMetrics.MailboxDepth.Enabled)
        {
            LifetimeMetrics.AddPosted();
        }

        return true;
    }

    /// <summary>Drains on the current thread if a drain was handed to the thread pool and nobody took it over yet.</summary>
    private void TakeOverHandedOffDrain()
    {
        if (Interlocked.Exchange(ref _handedOff, 0) == 1)
        {
            _gate.Resume();
            Drain();
        }
    }

    /// <summary>
    /// Hands the rest of the drain to the thread pool, keeping the gate held, unless a caller is blocked
    /// in a synchronous Dispose: then this thread drains on (returns <see langword="false"/>), or, if that
    /// caller took the hand-off over first, leaves. Announcing the hand-off before reading the count, like
    /// the blocked caller counting itself before looking for a hand-off, means one of them always sees the
    /// other, so a hand-off never waits for a pool thread while a blocked caller waits for it.
    /// </summary>
    private bool HandOffDrain()
    {
        _gate.Suspend();
        Interlocked.Exchange(ref _handedOff, 1);
        if (Volatile.Read(ref _blockedCallers) == 0)
        {
#if LIFETIME_HOOKS
            ScheduleHooks.QueueToPool(s_drainOnThreadPool, this);
#else
            ThreadPool.UnsafeQueueUserWorkItem(s_drainOnThreadPool, this);
#endif
            return true;
        }

        if (Interlocked.Exchange(ref _handedOff, 0) == 0)
        {
            return true;
        }

        _gate.Resume();
        return false;
    }

    /// <summary>Processes messages until the mailbox is empty. The caller holds the gate.</summary>
    private void Drain()
    {
        var reader = _mailbox.Reader;
        var budget = DrainBudget;
        var read = 0;
        while (true)
        {
            while (reader.TryRead(out var message))
            {
                read++;
                if (LifetimeMetrics.Recording && LifetimeMetrics.MailboxDepth.Enabled)
                {
                    LifetimeMetrics.AddTaken();
                }

                ScheduleHooks.At(HookPoint.BeforeProcess);
                Process(message);
                // A fresh budget every DrainBudget messages, whether or not more were waiting at that moment:
                // a budget that ran out on an empty mailbox must not let this drain run on for good.
                if (--budget == 0)
                {
                    budget = DrainBudget;
                    if (reader.TryPeek(out _))
                    {
                        Interlocked.Add(ref _queued, -read);
                        read = 0;
                        if (HandOffDrain())
                        {
                            return;
                        }
                    }
                }
            }

            // Messages counted but not read yet were written after our last read: keep going. (Nothing
            // read, nothing to subtract: a plain read spares an atomic on the idle caller's path.)
            if ((read == 0 ? Volatile.Read(ref _queued) : Interlocked.Add(ref _queued, -read)) > 0)
            {
                read = 0;
                continue;
            }

            read = 0;
            ScheduleHooks.At(HookPoint.BeforeDrainExit);
            _gate.Exit();

            // A poster that counted its message after our look saw the gate held and left: look again.
#if LIFETIME_HOOKS
            if (ScheduleHooks.Planted == PlantedFault.NoSecondLookAfterGateExit)
            {
                break;
            }
#endif
            if (Volatile.Read(ref _queued) <= 0 || !_gate.TryEnter())
            {
                break;
            }
        }

        CompleteIfDrained();
    }
}
