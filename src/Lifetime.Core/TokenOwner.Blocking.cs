using System;
using System.Threading;

namespace Lifetime;

// The synchronous forms: a caller that cannot await runs its request at once on an idle owner, or posts
// it and blocks until the reply, without needing a free thread-pool thread: it is counted so that no
// drain is handed to the pool meanwhile, and it may run the dispatched ends its reply waits for.
public sealed partial class TokenOwner
{
    // Callers blocked in a synchronous form (a renew, cancel, touch, cancel-all, or a Dispose of the owner
    // or a slot) whose request is not answered yet. While there are any, a drainer does not hand draining to the thread pool: every pool thread
    // may be one of them. The processing path takes a caller off the count when it answers it.
    private int _blockedCallers;

    /// <summary>A synchronous renew of any variant: <see cref="SendRenew"/> or <see cref="SendRenewOwned"/>, waiting on this thread.</summary>
    internal CancellationToken RenewBlocking(TokenSlot slot, TimeSpan timeout, in RequestedLinks links, CancellationTokenSource? owned, string asyncName)
    {
        ThrowIfWaitingOnItself(asyncName);
        var ownedToken = owned is null ? default : ClaimOwned(owned);
        if (slot.IsClosedForRenew)
        {
            return RefuseRenewBlocking(slot, owned);
        }

        if (owned is null && TryRenewIdle(slot, timeout, links, out var idle))
        {
            return idle.GetReply().Token;
        }

        return RunBlocking(OperationKind.Renew, slot, timeout, links, owned, ownedToken) is { } reply ? reply.Token : RefuseRenewBlocking(slot, owned);
    }

    internal void CancelCurrentBlocking(TokenSlot slot)
    {
        ThrowIfWaitingOnItself(nameof(CancelAndDisposeAsync));
        _ = RunCleanupBlocking(OperationKind.CancelCurrent, slot);
    }

    internal bool TouchBlocking(TokenSlot slot, TimeSpan timeout)
    {
        ThrowIfWaitingOnItself(nameof(TouchAsync));
        if (TryTouchInPlace(slot, timeout))
        {
            return true;
        }

        return RunCleanupBlocking(OperationKind.Touch, slot, timeout).Flag;
    }

    /// <summary>
    /// Throws when a synchronous member would wait for a reply that cannot come before it returns: on the
    /// owner's processing path (a callback with <see cref="CallbackPlacement.Inline"/>), or in a dispatched
    /// callback of the owner's own tokens, whose end the reply may have to follow.
    /// </summary>
    /// <remarks>
    /// Both looks read a thread static, which the single-caller renew would pay for on every call, so each
    /// is taken only when it can answer yes: the gate must be held to be held by this thread, and only a
    /// dispatched placement runs ends off the processing path.
    /// </remarks>
    private void ThrowIfWaitingOnItself(string asyncName)
    {
        if ((_gate.IsHeld() && _gate.IsHeldByCurrentThread()) || (_placement != CallbackPlacement.Inline && DispatchedEnd.IsRunningOn(this)))
        {
            ThrowHelper.ThrowWaitingOnItself(asyncName);
        }
    }

    /// <summary>
    /// Runs a synchronous cleanup request (cancel, touch, cancel-all) like <see cref="RunBlocking"/>. One the
    /// closed owner refuses waits, as its async form does, until the disposal's dispatched ends have run,
    /// so that no token it would have ended is still live when it returns; except on the context those
    /// ends are posted to, where they can only run after it returns. A refused touch answers false.
    /// </summary>
    private Operation.Reply RunCleanupBlocking(OperationKind kind, TokenSlot slot, TimeSpan timeout = default)
    {
        if (RunBlocking(kind, slot, timeout) is { } reply)
        {
            return reply;
        }

        var ended = AfterDispatchedEnds();
        if (!ended.IsCompleted && !IsOnCallbackContext())
        {
            ended.AsTask().GetAwaiter().GetResult();
        }

        return default;
    }

    /// <summary>
    /// Whether this thread runs on the context dispatched ends are posted to: there a synchronous caller
    /// must not block on them, as they can only run after it returns.
    /// </summary>
    private bool IsOnCallbackContext() => SynchronizationContext.Current is { } current && current == _callbackContext;

    /// <summary>
    /// Runs a request for a synchronous member and blocks this thread until its reply: processed right
    /// here when the owner is idle, otherwise posted, with the caller counted as blocked so that no drain
    /// is handed to the thread pool meanwhile. Returns <see langword="null"/> when the mailbox refused the
    /// request (the owner is closed).
    /// </summary>
    private Operation.Reply? RunBlocking(OperationKind kind, TokenSlot slot, TimeSpan timeout = default, RequestedLinks links = default, CancellationTokenSource? owned = null, CancellationToken ownedToken = default)
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
}
