using System;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime;

// The caller's side of the mailbox: building requests, posting them, and draining an idle mailbox on
// the caller's own thread. Nothing here touches owner state.
public sealed partial class TokenOwner
{
    // Messages one drainer processes before it hands the rest to the thread pool, so that a caller
    // which happened to find the mailbox idle is not kept busy by everyone else's requests.
    private const int DrainBudget = 64;

    private static readonly WaitCallback s_drainOnThreadPool = static state => ((TokenOwner)state!).TakeOverHandedOffDrain();
    private static readonly Action<object?> s_onOuterTokenCancelled = static state => ((TokenOwner)state!).SendDispose(DisposeCaller.None, endOfLife: true);

    private CancellationTokenRegistration _outerRegistration;

    // Messages written into the mailbox minus messages a drainer has read. It may dip below zero for a
    // moment (a message read before its poster counted it); that poster then finds the gate and drains.
    private int _queued;

    // Callers blocked in a synchronous Dispose (of the owner or a slot) whose request is not answered
    // yet. While there are any, a drainer does not hand draining to the thread pool: every pool thread
    // may be one of them. The processing path takes a caller off the count when it answers it.
    private int _blockedCallers;

    // 1 while a drain handed to the thread pool has not been taken over yet (the gate stays held meanwhile).
    // The pool's work item and a blocked caller race for it; whoever takes it drains.
    private int _handedOff;

    /// <summary>Test hook: the registration on the outer token.</summary>
    internal CancellationTokenRegistration OuterRegistrationForTests => _outerRegistration;

    internal int QueuedForTests => Volatile.Read(ref _queued);

    internal ValueTask<CancellationToken> SendRenew(TokenSlot slot, TimeSpan timeout, CancellationToken[]? links)
    {
        if (slot.IsClosedForRenew)
        {
            return RefuseRenew(slot, null);
        }

        if (TryEnterIdleInline())
        {
            return RunInline(_inlineOperation.Init(OperationKind.Renew, slot, timeout, links)).ToTokenTask();
        }

        var operation = RentOperation().Init(OperationKind.Renew, slot, timeout, links);
        if (!TryPost(operation))
        {
            ReturnOperation(operation);
            return RefuseRenew(slot, null);
        }

        return operation.AsTokenTask();
    }

    internal ValueTask<CancellationToken> SendRenewOwned(TokenSlot slot, CancellationTokenSource source)
    {
        var token = ClaimOwned(source);
        if (slot.IsClosedForRenew)
        {
            return RefuseRenew(slot, source);
        }

        if (TryEnterIdleInline())
        {
            return RunInline(_inlineOperation.Init(OperationKind.Renew, slot, Timeout.InfiniteTimeSpan, null, source, token)).ToTokenTask();
        }

        var operation = RentOperation().Init(OperationKind.Renew, slot, Timeout.InfiniteTimeSpan, null, source, token);
        if (!TryPost(operation))
        {
            ReturnOperation(operation);
            return RefuseRenew(slot, source);
        }

        return operation.AsTokenTask();
    }

    /// <summary>A synchronous renew of any variant: <see cref="SendRenew"/> or <see cref="SendRenewOwned"/>, waiting on this thread.</summary>
    internal CancellationToken RenewBlocking(TokenSlot slot, TimeSpan timeout, CancellationToken[]? links, CancellationTokenSource? owned, string asyncName)
    {
        ThrowIfWaitingOnItself(asyncName);
        var ownedToken = owned is null ? default : ClaimOwned(owned);
        if (slot.IsClosedForRenew)
        {
            return RefuseRenewBlocking(slot, owned);
        }

        return RunBlocking(OperationKind.Renew, slot, timeout, links, owned, ownedToken) is { } reply ? reply.Token : RefuseRenewBlocking(slot, owned);
    }

    internal void CancelCurrentBlocking(TokenSlot slot)
    {
        ThrowIfWaitingOnItself(nameof(CancelAndDisposeAsync));
        _ = RunBlocking(OperationKind.CancelCurrent, slot);
    }

    internal bool TouchBlocking(TokenSlot slot, TimeSpan timeout)
    {
        ThrowIfWaitingOnItself(nameof(TouchAsync));
        return RunBlocking(OperationKind.Touch, slot, timeout) is { Flag: true };
    }

    /// <summary>
    /// Claims a source handed over with RenewOwned and reads its token, refusing a source another owner
    /// holds (<see cref="InvalidOperationException"/>) or one its caller already disposed
    /// (<see cref="ObjectDisposedException"/>, leaving it unclaimed and untouched).
    /// </summary>
    private CancellationToken ClaimOwned(CancellationTokenSource source)
    {
        if (!SourceOwnership.TryClaim(source, _identity))
        {
            ThrowHelper.ThrowAlreadyOwned(nameof(source));
        }

        CancellationToken token;
        try
        {
            token = source.Token;
        }
        catch (ObjectDisposedException)
        {
            SourceOwnership.Release(source);
            throw;
        }

        if (LifetimeMetrics.Recording && LifetimeMetrics.SourcesLive.Enabled)
        {
            LifetimeMetrics.AddSourceCreated();
        }

        return token;
    }

    /// <summary>
    /// Throws when a synchronous member would wait for a reply that cannot come before it returns: on the
    /// owner's processing path (a callback with <see cref="CallbackPlacement.Inline"/>), or in a dispatched
    /// callback of the owner's own tokens, whose end the reply may have to follow.
    /// </summary>
    private void ThrowIfWaitingOnItself(string asyncName)
    {
        if (_gate.IsHeldByCurrentThread() || DispatchedEnd.IsRunningOn(this))
        {
            ThrowHelper.ThrowWaitingOnItself(asyncName);
        }
    }

    /// <summary>
    /// Runs a request for a synchronous member and blocks this thread until its reply: processed right
    /// here when the owner is idle, otherwise posted, with the caller counted as blocked so that no drain
    /// is handed to the thread pool meanwhile. Returns <see langword="null"/> when the mailbox refused the
    /// request (the owner is closed).
    /// </summary>
    private Operation.Reply? RunBlocking(OperationKind kind, TokenSlot slot, TimeSpan timeout = default, CancellationToken[]? links = null, CancellationTokenSource? owned = null, CancellationToken ownedToken = default)
    {
        if (TryEnterIdleInline())
        {
            return RunInline(_inlineOperation.Init(kind, slot, timeout, links, owned, ownedToken)).GetReply();
        }

        var operation = RentOperation().Init(kind, slot, timeout, links, owned, ownedToken);
        operation.HasBlockedCaller = true;

        // Counted before anything is sent: see HandOffDrain.
        Interlocked.Increment(ref _blockedCallers);
        if (!TryPost(operation))
        {
            Interlocked.Decrement(ref _blockedCallers);
            ReturnOperation(operation);
            return null;
        }

        TakeOverHandedOffDrain();
        return operation.WaitForReply();
    }

    internal ValueTask CancelCurrent(TokenSlot slot)
    {
        if (TryEnterIdleInline())
        {
            return RunInline(_inlineOperation.Init(OperationKind.CancelCurrent, slot)).ToTask();
        }

        var operation = RentOperation().Init(OperationKind.CancelCurrent, slot);
        return TryPost(operation) ? operation.AsTask() : ReturnAndComplete(operation);
    }

    internal ValueTask<bool> SendTouch(TokenSlot slot, TimeSpan timeout)
    {
        if (TryEnterIdleInline())
        {
            return RunInline(_inlineOperation.Init(OperationKind.Touch, slot, timeout)).ToFlagTask();
        }

        var operation = RentOperation().Init(OperationKind.Touch, slot, timeout);
        if (!TryPost(operation))
        {
            ReturnOperation(operation);
            return _completion.Task.IsCompleted
                ? new ValueTask<bool>(false)
                : new ValueTask<bool>(QuietCompletion().ContinueWith(static _ => false, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
        }

        return operation.AsFlagTask();
    }

    internal ValueTask RetireSlot(TokenSlot slot) => PostRetirement(slot, blockedCaller: false, detached: false) is { } operation ? operation.AsTask() : AfterDispatchedEnds();

    /// <summary>
    /// Sends the disposal of the owner (<paramref name="slot"/> <see langword="null"/>) or the retirement
    /// of <paramref name="slot"/> for a synchronous Dispose, and blocks until the processing path has
    /// processed it. Neither the wait nor the drain it waits for needs a thread-pool thread. Called from a
    /// callback on the owner's processing path, where waiting would deadlock, it only sends the request,
    /// which then stays queued behind the message being processed.
    /// </summary>
    internal void SendAndBlock(TokenSlot? slot)
    {
        if (_gate.IsHeldByCurrentThread())
        {
            // Nobody will wait for the request: it is detached, so strict-mode exceptions are reported.
            _ = slot is null ? SendDispose(DisposeCaller.None) : PostRetirement(slot, blockedCaller: false, detached: true);
            return;
        }

        // Counted before anything is sent: see HandOffDrain.
        Interlocked.Increment(ref _blockedCallers);
        var operation = slot is null ? SendDispose(DisposeCaller.Blocking) : PostRetirement(slot, blockedCaller: true, detached: _placement != CallbackPlacement.Inline);
        if (operation is null)
        {
            // Nothing of ours to answer: the owner is closed, or someone else sent its disposal. Either
            // way a disposal was sent, which ends the slot's token too: wait until it is processed.
            try
            {
                TakeOverHandedOffDrain();
                _disposeProcessed.Task.Wait();
            }
            finally
            {
                Interlocked.Decrement(ref _blockedCallers);
            }

            return;
        }

        // A drain handed to the pool before our count was seen would wait for a pool thread. The
        // processing path takes us off the count when it answers, so that a caller that drains on after
        // its own reply does not keep every drainer from handing off.
        TakeOverHandedOffDrain();
        operation.WaitForReply();
    }

    /// <summary>Takes a blocked caller off the count once its request is answered (processing path).</summary>
    internal void OnBlockedCallerAnswered() => Interlocked.Decrement(ref _blockedCallers);

    /// <summary>
    /// Posts a message from the owner's machinery (deadline wheel, link, outer token). Dropped once the
    /// owner is closed: its disposal ends everything such a message could have ended.
    /// </summary>
    internal void PostInternal(IOwnerMessage message) => TryPost(message);

    internal void ReturnOperation(Operation operation) => Volatile.Write(ref _spareOperation, operation);

    private Operation RentOperation() => Interlocked.Exchange(ref _spareOperation, null) ?? new Operation(reusable: true);

    private ValueTask ReturnAndComplete(Operation operation)
    {
        ReturnOperation(operation);
        return AfterDispatchedEnds();
    }

    /// <summary>
    /// The answer to a cleanup request the closed mailbox refused: the disposal has ended every token, but
    /// with a dispatched placement their cancellations may still be running elsewhere, and a caller must
    /// not be told its token is ended while it is live. So it completes with <see cref="Completion"/>: at
    /// once when that has completed, otherwise once the last dispatched end has run and the processing
    /// path has drained.
    /// </summary>
    private ValueTask AfterDispatchedEnds() => _completion.Task.IsCompleted ? default : new ValueTask(QuietCompletion());

    /// <summary>
    /// Posts the retirement of <paramref name="slot"/>. Returns <see langword="null"/> when the owner is
    /// closed: its disposal retires every slot. A detached operation is answered as soon as it is
    /// processed, before any dispatched callbacks, and its callbacks' exceptions are reported.
    /// </summary>
    private Operation? PostRetirement(TokenSlot slot, bool blockedCaller, bool detached)
    {
        var operation = RentOperation().Init(OperationKind.RetireSlot, slot);
        operation.HasBlockedCaller = blockedCaller;
        operation.Detached = detached;
        if (TryPost(operation))
        {
            return operation;
        }

        ReturnOperation(operation);
        return null;
    }

    /// <summary>
    /// Takes the gate when the owner is idle and nothing is waiting: the caller's message is then next
    /// in line anyway, and the caller can process it at once, without the round trip through the channel.
    /// </summary>
    private bool TryEnterIdle()
    {
        if (_closed || Volatile.Read(ref _queued) > 0 || !_gate.TryEnter())
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

    /// <summary>Who waits for a disposal request: decides where strict-mode exceptions go.</summary>
    private enum DisposeCaller
    {
        /// <summary>Nobody (the outer token fired): exceptions are reported.</summary>
        None,

        /// <summary>An awaiting caller of <see cref="DisposeAsync"/>: exceptions propagate to it.</summary>
        Awaiting,

        /// <summary>
        /// A synchronous <see cref="Dispose"/>: exceptions propagate with <see cref="CallbackPlacement.Inline"/>;
        /// with a dispatched placement it waits only for the processing path, so they are reported.
        /// </summary>
        Blocking,
    }

    /// <summary>
    /// Sends the disposal request (an explicit one, or the end of life when the outer token fired) and
    /// refuses renews from now on; the processing path closes the mailbox when it processes the request.
    /// Returns <see langword="null"/> when the owner was already closed or its end already decided: the
    /// first of an explicit disposal and the end of life decides how renews are refused.
    /// </summary>
    private Operation? SendDispose(DisposeCaller caller, bool endOfLife = false)
    {
        ScheduleHooks.At(HookPoint.InDispose);
        if (_closed || !TryDecideEnd(endOfLife))
        {
            return null;
        }

        var operation = new Operation(reusable: false).Init(OperationKind.Dispose, _defaultSlot);
        operation.Detached = caller == DisposeCaller.None || (caller == DisposeCaller.Blocking && _placement != CallbackPlacement.Inline);
        operation.HasBlockedCaller = caller == DisposeCaller.Blocking;
        if (!TryEnqueue(operation))
        {
            return null;
        }

        ScheduleHooks.At(HookPoint.AfterEnqueue);
        _closed = true;
        if (_gate.TryEnter())
        {
            Drain();
        }

        CompleteIfDrained();
        return operation;
    }

    private void BindOuterToken(CancellationToken outerToken)
    {
        if (!outerToken.CanBeCanceled)
        {
            return;
        }

        if (outerToken.IsCancellationRequested)
        {
            SendDispose(DisposeCaller.None, endOfLife: true);
            return;
        }

        // Strong, like a linked source's registration: the outer token must end the owner's tokens even
        // when nothing else references the owner. Removed at disposal, which releases the owner.
        _outerRegistration = TokenRegistration.Register(outerToken, s_onOuterTokenCancelled, this);
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
            ThreadPool.UnsafeQueueUserWorkItem(s_drainOnThreadPool, this);
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
            if (Volatile.Read(ref _queued) <= 0 || !_gate.TryEnter())
            {
                break;
            }
        }

        CompleteIfDrained();
    }
}
