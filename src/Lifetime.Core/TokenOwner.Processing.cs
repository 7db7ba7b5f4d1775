using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Lifetime;

// The processing path: the only code that reads or writes owner state. Each message is processed to
// the end (state updated, ended sources cancelled and disposed) before its reply is completed, so no
// continuation ever observes a half-updated owner.
public sealed partial class TokenOwner
{
    // Inlined into its two callers (a posted operation's IOwnerMessage.Process and the inline path's
    // Process(Operation)), so that a renew reaches ExecuteRenew without a call that only dispatches.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Execute(Operation operation)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread(), "Owner state is touched only on the processing path.");
        switch (operation.Kind)
        {
            case OperationKind.Renew:
                ExecuteRenew(operation);
                break;
            case OperationKind.CancelCurrent:
                EndCurrent(operation.Slot!, operation, TokenEndCause.Cancelled);
                Answer(operation);
                break;
            case OperationKind.Touch:
                ExecuteTouch(operation);
                break;
            case OperationKind.RetireSlot:
                if (!IsDisposed && !operation.Slot!.IsRetired)
                {
                    operation.Slot.MarkRetired();
                    EndCurrent(operation.Slot, operation, TokenEndCause.SlotDisposed);
                }

                Answer(operation);
                break;
            case OperationKind.CancelAll:
                EndAll(operation, TokenEndCause.CancelledAll);
                Answer(operation);
                break;
            case OperationKind.Dispose:
                ExecuteDispose(operation);
                break;
        }
    }

    /// <summary>A deadline the wheel found due. Processing path only.</summary>
    internal void OnDeadline(TokenSlot slot)
    {
        var deadline = Volatile.Read(ref slot.Deadline);
        if (IsDisposed || slot.Source is null || deadline == DeadlineWheel.NoDeadline)
        {
            return;
        }

        // Claimed with a compare-exchange: a caller's touch may move the deadline later at any moment
        // (TryTouchInPlace), and a touch that answered true must not be followed by this timeout. Due by
        // the wheel's own reading of the clock: the wheel posted the slot because it was due then.
        ScheduleHooks.At(HookPoint.DeadlineRead);
        if (deadline <= _wheel.CollectedAt && Interlocked.CompareExchange(ref slot.Deadline, DeadlineWheel.NoDeadline, deadline) == deadline)
        {
            // The wheel took the slot off when it found it due; EndCurrent finds no deadline left to clear.
            EndCurrent(slot, null, TokenEndCause.TimedOut);
        }
        else
        {
            // Touched later after the wheel had taken it off: file it again.
            _wheel.Schedule(slot);
        }
    }

    /// <summary>
    /// A link of one of the slot's tokens fired: the live token ends if one of its own links is cancelled
    /// (a message about an earlier token's link is otherwise ignored). Processing path only.
    /// </summary>
    internal void OnLinkCancelled(TokenSlot slot)
    {
        if (!IsDisposed && slot.Source is not null && slot.HasCancelledLink)
        {
            EndCurrent(slot, null, TokenEndCause.LinkCancelled);
        }
    }

    private void ExecuteRenew(Operation operation)
    {
        var slot = operation.Slot!;
        if (IsDisposed || slot.IsRetired)
        {
            // Whether the slot was retired before the end of life is decided at the call site, where a
            // retirement after the end is not even sent: a racing one may still reach the path first.
            if (LifeEnded && slot.ClaimEndOfLifeAnswer())
            {
                // Racing the end of life is no bug: the caller gets a token that is already cancelled,
                // once the slot's dispatched ends have run, like any reply about the slot.
                Answer(operation, EndOfLifeToken(operation.OwnedSource, operation));
                return;
            }

            // A source handed over is the owner's from the call on: disposed with the refusal.
            RefuseOwned(operation.OwnedSource);
            operation.Fail(ThrowHelper.CreateObjectDisposed(!slot.IsDefault));
            return;
        }

        CancellationTokenSource next;
        CancellationToken token;
        if (operation.OwnedSource is { } owned)
        {
            next = owned;
            token = operation.OwnedToken;
        }
        else if (CreateSource(out token, out var failure) is { } created)
        {
            next = created;
        }
        else
        {
            operation.Fail(failure!);
            return;
        }

        // Read the clock before changing anything: a clock that throws must leave the slot as it was.
        // A caller's source may come already cancelled: it is born ended like a zero timeout.
        var bornEnded = next.IsCancellationRequested || operation.Timeout == TimeSpan.Zero;
        var bornCause = next.IsCancellationRequested ? TokenEndCause.Cancelled : TokenEndCause.TimedOut;
        long deadline;
        try
        {
            deadline = bornEnded || operation.Timeout == Timeout.InfiniteTimeSpan ? DeadlineWheel.NoDeadline : _wheel.DeadlineAfter(operation.Timeout);
        }
        catch
        {
            GiveBack(next, operation);
            throw;
        }

        var previous = slot.TakeSourceForRenew();
        slot.Install(next);
        if (previous is null)
        {
            Activate(slot);
        }

        if (!bornEnded && slot.SetLinks(operation.Links))
        {
            bornEnded = true;
            bornCause = TokenEndCause.LinkCancelled;
        }

        // The previous source is ended before the wheel is told of the new deadline, which may fail.
        if (previous is not null)
        {
            EndSource(previous, operation, slot, TokenEndCause.Renewed);
        }

        SetDeadline(slot, bornEnded ? DeadlineWheel.NoDeadline : deadline);
        if (bornEnded)
        {
            EndCurrent(slot, operation, bornCause);
        }

        if (LifetimeMetrics.Recording)
        {
            _counts?.AddRenew(VariantOf(operation));
        }

        Answer(operation, token);
    }

    /// <summary>
    /// <see cref="ExecuteRenew"/> for a renew without a timeout or a caller's source (links allowed), run by
    /// a caller that found the owner idle, without an operation: setting one up and reading its reply back
    /// cost about as much as the renew itself (docs/benchmarks.md). Only for owners whose every answer to it
    /// is a token or an exception for the caller (<see cref="_renewsWithoutOperation"/>): with Inline
    /// placement ended sources are cancelled and disposed right here, and the default policy reports their
    /// callbacks' exceptions. Returns false, having changed nothing, when the owner is disposed or the slot
    /// retired: <see cref="ExecuteRenew"/> decides those answers. Fails, counts and visits hook points like
    /// <see cref="Process(IOwnerMessage)"/> with <see cref="ExecuteRenew"/>.
    /// </summary>
    private bool RenewWithoutOperation(TokenSlot slot, in RequestedLinks links, out InlineReply reply)
    {
        if (IsDisposed || slot.IsRetired)
        {
            reply = default;
            return false;
        }

        var counts = LifetimeMetrics.Recording ? LifetimeMetrics.CountsForMessage() : null;
        var started = counts is null ? 0 : StartCounting(counts);
        try
        {
            var next = CreateSource(out var token, out var failure);
            if (next is null)
            {
                ScheduleHooks.At(HookPoint.BeforeReply);
                reply = new InlineReply(default, flag: false, failure);
            }
            else
            {
                var bornEnded = next.IsCancellationRequested;
                var bornCause = TokenEndCause.Cancelled;
                var previous = slot.TakeSourceForRenew();
                slot.Install(next);
                if (previous is null)
                {
                    Activate(slot);
                }

                if (!bornEnded && slot.SetLinks(links))
                {
                    bornEnded = true;
                    bornCause = TokenEndCause.LinkCancelled;
                }

                if (previous is not null)
                {
                    EndSource(previous, null, slot, TokenEndCause.Renewed);
                }

                SetDeadline(slot, DeadlineWheel.NoDeadline);
                if (bornEnded)
                {
                    EndCurrent(slot, null, bornCause);
                }

                if (LifetimeMetrics.Recording)
                {
                    _counts?.AddRenew(links.Count == 0 ? LifetimeMetrics.Variant.Renew : LifetimeMetrics.Variant.RenewLinked);
                }

                ScheduleHooks.At(HookPoint.BeforeReply);
                reply = new InlineReply(token, flag: false, error: null);
            }
        }
#pragma warning disable CA1031 // As in Process(IOwnerMessage): the path must survive to dispose what it owns.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OnProcessingFailure(null, ex);
            ScheduleHooks.At(HookPoint.BeforeReply);
            reply = new InlineReply(default, flag: false, ex);
        }

        if (counts is not null)
        {
            StopCounting(started);
        }

        return true;
    }

    /// <summary>
    /// Creates the source a renew installs, the owner's own or its factory's, and reads its token once.
    /// Returns null with the exception when the factory fails (see <see cref="CreateWithFactory"/>): the
    /// renew then fails and nothing has changed.
    /// </summary>
    private CancellationTokenSource? CreateSource(out CancellationToken token, out Exception? failure)
    {
        CancellationTokenSource? source;
        if (_sourceFactory is null)
        {
            source = new OwnedSource(_identity);
            token = source.Token;
            failure = null;
        }
        else
        {
            source = CreateWithFactory(_sourceFactory, out token, out failure);
        }

        if (LifetimeMetrics.Recording && source is not null)
        {
            _counts?.AddSourceCreated();
        }

        return source;
    }

    private static LifetimeMetrics.Variant VariantOf(Operation operation)
    {
        if (operation.OwnedSource is not null)
        {
            return LifetimeMetrics.Variant.RenewOwned;
        }

        var timed = operation.Timeout != Timeout.InfiniteTimeSpan;
        if (operation.Links.Count == 0)
        {
            return timed ? LifetimeMetrics.Variant.RenewAfter : LifetimeMetrics.Variant.Renew;
        }

        return timed ? LifetimeMetrics.Variant.RenewLinkedAfter : LifetimeMetrics.Variant.RenewLinked;
    }

    /// <summary>
    /// Counts a source the owner held as gone (disposed, or given back to its caller), on the processing
    /// path when <paramref name="onPath"/>, else on whatever thread this is.
    /// </summary>
    private void SourceReleased(bool onPath)
    {
        if (!LifetimeMetrics.Recording)
        {
            return;
        }

        if (onPath)
        {
            _counts?.AddSourceReleased();
        }
        else if (LifetimeMetrics.SourcesLive.Enabled)
        {
            LifetimeMetrics.AddSourceReleased();
        }
    }

    private void ExecuteTouch(Operation operation)
    {
        var slot = operation.Slot!;
        if (IsDisposed || slot.IsRetired || slot.Source is null)
        {
            // Answered like any reply about the slot: after its dispatched ends still running, or a caller
            // told "no live token" could still see the token another request ended live.
            Answer(operation, flag: false);
            return;
        }

        if (operation.Timeout == TimeSpan.Zero)
        {
            EndCurrent(slot, operation, TokenEndCause.TimedOut);
        }
        else
        {
            SetDeadline(slot, operation.Timeout == Timeout.InfiniteTimeSpan ? DeadlineWheel.NoDeadline : _wheel.DeadlineAfter(operation.Timeout));
        }

        Answer(operation, flag: true);
    }

    private void ExecuteDispose(Operation operation)
    {
        ScheduleHooks.At(HookPoint.InDispose);
        var first = TryAdvance(DisposalState.Disposed);
        if (first)
        {
            TokenRegistration.Remove(_outerRegistration);
            EndAll(operation, LifeEnded ? TokenEndCause.OwnerEnded : TokenEndCause.OwnerDisposed);

            // The wheel may be busy on its timer thread: wait for it to drop our deadlines, so that no
            // timer is left armed for this owner when the disposal is answered.
            _wheel.Settle();
        }

        // Answered (and its dispatched ends counted) before the path may release its own count.
        Answer(operation);
        if (first)
        {
            TryAdvance(DisposalState.Answered);
        }

        // The mailbox is completed here, by its reader, once everything has ended, never by the sender
        // of the disposal: a writer completing the single-reader channel while the drainer reads its last
        // message can leave the reader's Completion pending forever (each side misses the other's write),
        // and a cleanup request refused by a completed mailbox is answered at once, so it must not be
        // refused while the tokens it would end are still live. Requests written before this line are
        // processed after it, as no-ops.
        _mailbox.Writer.TryComplete();
        _disposeProcessed.TrySetResult(true);
    }

    /// <summary>Ends the slot's live token, if any, for <paramref name="operation"/> (null: no caller).</summary>
    private void EndCurrent(TokenSlot slot, Operation? operation, TokenEndCause cause)
    {
        var source = slot.TakeSource();
        if (source is null)
        {
            return;
        }

        Deactivate(slot);
        EndSource(source, operation, slot, cause);
        SetDeadline(slot, DeadlineWheel.NoDeadline);
    }

    /// <summary>Disposes a source the request created, or gives a caller's source back, when it fails before installing it.</summary>
    private void GiveBack(CancellationTokenSource next, Operation operation)
    {
        if (operation.OwnedSource is null)
        {
            next.Dispose();
        }
        else
        {
            SourceOwnership.Release(next);
        }

        SourceReleased(onPath: true);
    }

    /// <summary>
    /// Ends every slot's live token. The list of slots is taken first, so a failure while ending one (the
    /// clock, when its deadline is taken off the wheel after its source ended) must not strand the rest:
    /// every one is ended, then the first failure is thrown, as a failure of the processing path.
    /// </summary>
    private void EndAll(Operation? operation, TokenEndCause cause)
    {
        Exception? failure = null;
        for (var slot = TakeActiveSlots(); slot != TokenSlot.EndOfList;)
        {
            var current = slot;
            slot = NextTaken(slot);
            try
            {
                EndCurrent(current, operation, cause);
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    /// <summary>
    /// Writes the live token's deadline and tells the wheel when it must look: when a deadline appears,
    /// disappears or moves earlier. A later deadline needs nothing: the wheel meets the slot at its old
    /// deadline and files it again.
    /// </summary>
    private void SetDeadline(TokenSlot slot, long deadline)
    {
        var previous = slot.Deadline;
        if (previous == deadline)
        {
            return;
        }

        Volatile.Write(ref slot.Deadline, deadline);
        if (previous == DeadlineWheel.NoDeadline || deadline == DeadlineWheel.NoDeadline || deadline < previous)
        {
            _wheel.Schedule(slot);
        }
    }

    /// <summary>
    /// Cancels and disposes an ended source of <paramref name="slot"/>, here or where
    /// <see cref="CallbackPlacement"/> says.
    /// </summary>
    /// <remarks>
    /// A dispatched end becomes the slot's <see cref="TokenSlot.PendingEnd"/>: every later reply about that
    /// slot waits for it, so no caller is answered while a token its request replaced or ended (or one
    /// ended before it) is still live, whoever ended it and whichever dispatched end runs first.
    /// </remarks>
    private void EndSource(CancellationTokenSource source, Operation? operation, TokenSlot slot, TokenEndCause cause)
    {
        // Before the source is cancelled, so that its own callbacks can read why.
        MarkEnded(source, cause, onPath: true);
        if (_placement == CallbackPlacement.Inline)
        {
            CancelAndDispose(source, operation, onPath: true);
        }
        else if (operation is null)
        {
            // Nobody waits for this end (a timeout or a link); it still follows the slot's earlier end.
            var end = new DispatchedEnd(this, source, null, null, after: slot.PeekPendingEnd());
            SetPendingEnd(slot, end);
            Interlocked.Increment(ref _outstanding);
            Dispatch(end);
        }
        else
        {
            (operation.Dispatched ??= new List<(CancellationTokenSource, TokenSlot)>(1)).Add((source, slot));
        }
    }

    /// <summary>
    /// Replies to <paramref name="operation"/>: at once, or after its dispatched ends and, for a
    /// request about one slot, after the dispatched ends of that slot still running.
    /// </summary>
    private void Answer(Operation operation, CancellationToken token = default, bool flag = false)
    {
        var dispatched = operation.Dispatched;
        var after = operation.Kind is OperationKind.Dispose or OperationKind.CancelAll ? null : operation.Slot!.PeekPendingEnd();
        // A cancel-all or a disposal ends every slot's token: its dispatched end becomes each slot's pending
        // end, so it must itself follow every earlier end still running, or a later reply about a slot that
        // follows only it could answer while a token an earlier request ended is still live. A request
        // processed after the disposal (sent before the mailbox closed) follows them all too: the disposal,
        // before it in every order, ended every token, some through ends still running that it found had
        // already taken the token off its slot (a touch(0) or cancel just before), and that are pending on
        // no slot this request is about.
        var alsoAfter = operation.Kind is OperationKind.CancelAll or OperationKind.Dispose || IsDisposed ? UnfinishedEnds() : null;
#if LIFETIME_HOOKS
        if (ScheduleHooks.Planted == PlantedFault.ReplyIgnoresEarlierEnds)
        {
            (after, alsoAfter) = (null, null);
        }
#endif
        if (dispatched is null && after is null && alsoAfter is null)
        {
            operation.Complete(token, flag);
            return;
        }

        operation.Dispatched = null;
        var detached = operation.Detached;
        var end = new DispatchedEnd(this, null, dispatched, detached ? null : operation, token, flag, after, alsoAfter);
        if (dispatched is not null)
        {
            foreach (var (_, slot) in dispatched)
            {
                SetPendingEnd(slot, end);
            }
        }

        // Counted before anyone can run it, let alone answer: Completion must not complete while this is
        // pending (a helping caller below may finish it before this method returns).
        Interlocked.Increment(ref _outstanding);
        if (operation.HasBlockedCaller && !detached)
        {
            // A synchronous caller waits for this reply: it may run the end (and the ones before
            // it) itself, so that its wait needs no free pool thread.
            operation.OfferHelp(end);
        }

        if (detached)
        {
            operation.Complete(token, flag);
        }

        if (dispatched is null)
        {
            // Nothing to cancel here: just queue the reply behind the earlier end, without a hop.
            end.Run();
        }
        else
        {
            Dispatch(end);
        }
    }

}
