using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime;

// The callers' side of every request: validation that needs the owner, refusals at the call site, and
// building the message; then the idle fast path (processed right here) or the mailbox. The public
// members in TokenOwner.cs and TokenSlot.cs call these. Nothing here touches owner state.
public sealed partial class TokenOwner
{
    private static readonly Action<object?> s_onOuterTokenCancelled = static state => ((TokenOwner)state!).SendDispose(DisposeCaller.None, endOfLife: true);

    private CancellationTokenRegistration _outerRegistration;

    /// <summary>
    /// A renew of any variant but RenewOwned. The idle owner's case is all there is here, so that this
    /// inlines into the public methods with a small frame; <see cref="PostRenew"/> has the rest (its frame
    /// and its locals cost the idle renew about 3 ns when they were one method).
    /// </summary>
    internal ValueTask<CancellationToken> SendRenew(TokenSlot slot, TimeSpan timeout, in RequestedLinks links)
    {
        if (!slot.IsClosedForRenew && TryRenewIdle(slot, timeout, links, out var reply))
        {
            return reply.ToTokenTask();
        }

        return PostRenew(slot, timeout, links);
    }

    /// <summary><see cref="SendRenew"/> when the owner was not idle, the slot closed, or the renew needs an operation.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<CancellationToken> PostRenew(TokenSlot slot, TimeSpan timeout, in RequestedLinks links)
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
            return RunInline(_inlineOperation.Init(OperationKind.Renew, slot, Timeout.InfiniteTimeSpan, default, source, token)).ToTokenTask();
        }

        var operation = RentOperation().Init(OperationKind.Renew, slot, Timeout.InfiniteTimeSpan, default, source, token);
        if (!TryPost(operation))
        {
            ReturnOperation(operation);
            return RefuseRenew(slot, source);
        }

        return operation.AsTokenTask();
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
        if (TryTouchInPlace(slot, timeout))
        {
            return new ValueTask<bool>(true);
        }

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

    /// <summary>
    /// The common touch, done by the caller with no message: the live token already has a deadline and
    /// the new one is later. The caller reads the clock and moves <see cref="TokenSlot.Deadline"/> with a
    /// compare-exchange, the one write to slot state made off the processing path; the deadline wheel
    /// meets the slot at its old deadline, finds it not due and files it again, and the processing path
    /// claims a due deadline with a compare-exchange too (<see cref="OnDeadline"/>), so a touch either
    /// lands before the timeout is decided or fails here. False means "take the message path": anything
    /// else (no token, no deadline yet, an earlier or zero or infinite deadline, a closed owner or retired
    /// slot, a dispatched placement whose replies follow the slot's pending ends, a call from a callback on
    /// the processing path, whose touch must come after the message being processed, or a clock that
    /// throws) goes through the mailbox as before.
    /// </summary>
    private bool TryTouchInPlace(TokenSlot slot, TimeSpan timeout)
    {
        if (_placement != CallbackPlacement.Inline || timeout == Timeout.InfiniteTimeSpan || timeout == TimeSpan.Zero || slot.IsClosedForRenew)
        {
            return false;
        }

        var source = slot.PublishedSource;
        var current = Volatile.Read(ref slot.Deadline);
        if (source is null || current == DeadlineWheel.NoDeadline || (_gate.IsHeld() && _gate.IsHeldByCurrentThread()))
        {
            return false;
        }

        long deadline;
        try
        {
            // The precise clock: a deadline is never early and at most one wheel tick late (guarantee 4),
            // which a coarser reading (the wheel's last tick) could not keep.
            deadline = _wheel.DeadlineAfter(timeout);
        }
#pragma warning disable CA1031 // Not swallowed: the message path reads the clock again and fails as it always did.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }

        ScheduleHooks.At(HookPoint.DeadlineRead);
        if (deadline < current || Interlocked.CompareExchange(ref slot.Deadline, deadline, current) != current)
        {
            return false;
        }

        // Sources are never reused: if the same source is still published, the deadline moved was its own
        // (if the slot changed token meanwhile, the message path touches whichever token is live now).
        return slot.PublishedSource == source;
    }

    internal ValueTask RetireSlot(TokenSlot slot) => PostRetirement(slot, blockedCaller: false, detached: false) is { } operation ? operation.AsTask() : AfterDispatchedEnds();

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
        if (IsClosed || !TryDecideEnd(endOfLife))
        {
            return null;
        }

        ScheduleHooks.At(HookPoint.EndDecided);
        var operation = new Operation(reusable: false).Init(OperationKind.Dispose, _defaultSlot);
        operation.Detached = caller == DisposeCaller.None || (caller == DisposeCaller.Blocking && _placement != CallbackPlacement.Inline);
        operation.HasBlockedCaller = caller == DisposeCaller.Blocking;

        // Closed before the request is written, not after: once written, another caller's drain may process
        // it (and answer renews with the ended token) before this thread goes on, and a slot's retirement
        // must count as after the end as soon as anything can observe the end (IsAfterEndOfLife). Requests
        // that passed their own check before this line are still written, ahead of the disposal or behind it.
        // (The compare-exchange is a full fence, so the write below cannot be seen first; and it never
        // moves the state back, which a failure of the processing path may already have moved further.)
        TryAdvance(DisposalState.Closed);
        if (!TryEnqueue(operation))
        {
            return null;
        }

        ScheduleHooks.At(HookPoint.AfterEnqueue);
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

    internal void ReturnOperation(Operation operation) => _spareOperations.Return(operation);

    private Operation RentOperation() => _spareOperations.Rent();
}
