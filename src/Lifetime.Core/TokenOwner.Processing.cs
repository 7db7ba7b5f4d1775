using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Lifetime;

// The processing path: the only code that reads or writes owner state. Each message is processed to
// the end (state updated, ended sources cancelled and disposed) before its reply is completed, so no
// continuation ever observes a half-updated owner.
public sealed partial class TokenOwner
{
    private static readonly WaitCallback s_retireOnThreadPool = static state => ((Retirement)state!).Run();
    private static readonly SendOrPostCallback s_retireOnContext = static state => ((Retirement)state!).Run();

    // Owner state (processing path only).
    private TokenSlot? _activeSlots;
    private bool _disposed;
    private Exception? _fault;

    // With a dispatched placement, the slots' pending ends, finished ones pruned now and then (processing
    // path only): what a cancel-all's reply follows.
    private List<Retirement>? _pendingEnds;
    private int _prunePendingEndsAt = 16;

    // Completion bookkeeping, shared with dispatched retirements: one count for the processing path
    // until it has disposed and drained, plus one per retirement handed away from it.
    private int _outstanding = 1;
    private int _drainReleased;
    private volatile bool _disposeDone;

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
                Finish(operation);
                break;
            case OperationKind.Touch:
                ExecuteTouch(operation);
                break;
            case OperationKind.RetireSlot:
                if (!_disposed && !operation.Slot!.IsRetired)
                {
                    operation.Slot.MarkRetired();
                    EndCurrent(operation.Slot, operation, TokenEndCause.SlotDisposed);
                }

                Finish(operation);
                break;
            case OperationKind.CancelAll:
                EndAll(operation, TokenEndCause.CancelledAll);
                Finish(operation);
                break;
            case OperationKind.Dispose:
                ExecuteDispose(operation);
                break;
        }
    }

    /// <summary>A deadline the wheel found due. Processing path only.</summary>
    internal void OnDeadline(TokenSlot slot)
    {
        if (_disposed || slot.Source is null || slot.Deadline == DeadlineWheel.NoDeadline)
        {
            return;
        }

        if (slot.Deadline <= _wheel.Now())
        {
            EndCurrent(slot, null, TokenEndCause.TimedOut);
        }
        else
        {
            // Touched later after the wheel had taken it off: file it again.
            _wheel.Schedule(slot);
        }
    }

    /// <summary>A link of the token of <paramref name="generation"/> fired. Processing path only.</summary>
    internal void OnLinkCancelled(TokenSlot slot, int generation)
    {
        if (!_disposed && slot.Generation == generation)
        {
            EndCurrent(slot, null, TokenEndCause.LinkCancelled);
        }
    }

    private void ExecuteRenew(Operation operation)
    {
        var slot = operation.Slot!;
        if (_disposed || slot.IsRetired)
        {
            // Whether the slot was retired before the end of life is decided at the call site, where a
            // retirement after the end is not even sent: a racing one may still reach the path first.
            if (!slot.IsRetireRequested && LifeEnded)
            {
                // Racing the end of life is no bug: the caller gets a token that is already cancelled,
                // once the slot's dispatched ends have run, like any reply about the slot.
                Finish(operation, EndOfLifeToken(operation.OwnedSource, operation));
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
        else
        {
            try
            {
                next = _sourceFactory is null ? new OwnedSource(_identity) : CreateWithFactory(_sourceFactory);
                token = next.Token;
                if (LifetimeMetrics.Recording && LifetimeMetrics.SourcesLive.Enabled)
                {
                    LifetimeMetrics.AddSourceCreated();
                }
            }
            catch (Exception ex)
            {
                // The user's factory failed: the request fails and nothing has changed.
                operation.Fail(ex);
                return;
            }
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

        var previous = slot.Detach();
        slot.Install(next);
        Activate(slot);
        if (!bornEnded && operation.Links is { } links && AddLinks(slot, links))
        {
            bornEnded = true;
            bornCause = TokenEndCause.LinkCancelled;
        }

        // The previous source is ended before the wheel is told of the new deadline, which may fail.
        if (previous is not null)
        {
            Retire(previous, operation, slot, TokenEndCause.Renewed);
        }

        SetDeadline(slot, bornEnded ? DeadlineWheel.NoDeadline : deadline);
        if (bornEnded)
        {
            EndCurrent(slot, operation, bornCause);
        }

        if (LifetimeMetrics.Recording && LifetimeMetrics.Renews.Enabled)
        {
            LifetimeMetrics.AddRenew(VariantOf(operation));
        }

        Finish(operation, token);
    }

    private static LifetimeMetrics.Variant VariantOf(Operation operation)
    {
        if (operation.OwnedSource is not null)
        {
            return LifetimeMetrics.Variant.RenewOwned;
        }

        var timed = operation.Timeout != Timeout.InfiniteTimeSpan;
        if (operation.Links is null)
        {
            return timed ? LifetimeMetrics.Variant.RenewAfter : LifetimeMetrics.Variant.Renew;
        }

        return timed ? LifetimeMetrics.Variant.RenewLinkedAfter : LifetimeMetrics.Variant.RenewLinked;
    }

    /// <summary>Counts a source the owner held as gone (disposed, or given back to its caller).</summary>
    private static void SourceReleased()
    {
        if (LifetimeMetrics.Recording && LifetimeMetrics.SourcesLive.Enabled)
        {
            LifetimeMetrics.AddSourceReleased();
        }
    }

    private void ExecuteTouch(Operation operation)
    {
        var slot = operation.Slot!;
        if (_disposed || slot.IsRetired || slot.Source is null)
        {
            // Answered like any reply about the slot: after its dispatched ends still running, or a caller
            // told "no live token" could still see the token another request ended live.
            Finish(operation, flag: false);
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

        Finish(operation, flag: true);
    }

    private void ExecuteDispose(Operation operation)
    {
        ScheduleHooks.At(HookPoint.InDispose);
        var first = !_disposed;
        if (first)
        {
            _disposed = true;
            TokenRegistration.Remove(_outerRegistration);
            EndAll(operation, LifeEnded ? TokenEndCause.OwnerEnded : TokenEndCause.OwnerDisposed);

            // The wheel may be busy on its timer thread: wait for it to drop our deadlines, so that no
            // timer is left armed for this owner when the disposal is answered.
            _wheel.Settle();
        }

        // Answered (and its dispatched retirements counted) before the path may release its own count.
        Finish(operation);
        if (first)
        {
            _disposeDone = true;
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

    /// <summary>Registers the links of the live token; true when one of them is already cancelled.</summary>
    private static bool AddLinks(TokenSlot slot, CancellationToken[] links)
    {
        foreach (var link in links)
        {
            if (link.IsCancellationRequested)
            {
                return true;
            }
        }

        foreach (var link in links)
        {
            if (link.CanBeCanceled)
            {
                // If the link is cancelled meanwhile, the registration posts its message at once; it is
                // processed after this one and ends the token then.
                slot.AddLink(new LinkRegistration(slot, link));
            }
        }

        return false;
    }

    /// <summary>Ends the slot's live token, if any, for <paramref name="operation"/> (null: no caller).</summary>
    private void EndCurrent(TokenSlot slot, Operation? operation, TokenEndCause cause)
    {
        var source = slot.Detach();
        if (source is null)
        {
            return;
        }

        Deactivate(slot);
        Retire(source, operation, slot, cause);
        SetDeadline(slot, DeadlineWheel.NoDeadline);
    }

    /// <summary>Disposes a source the request created, or gives a caller's source back, when it fails before installing it.</summary>
    private static void GiveBack(CancellationTokenSource next, Operation operation)
    {
        if (operation.OwnedSource is null)
        {
            next.Dispose();
        }
        else
        {
            SourceOwnership.Release(next);
        }

        SourceReleased();
    }

    private void EndAll(Operation operation, TokenEndCause cause)
    {
        while (_activeSlots is { } slot)
        {
            EndCurrent(slot, operation, cause);
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
    private void Retire(CancellationTokenSource source, Operation? operation, TokenSlot slot, TokenEndCause cause)
    {
        // Before the source is cancelled, so that its own callbacks can read why.
        MarkEnded(source, cause);
        if (_placement == CallbackPlacement.Inline)
        {
            CancelAndDispose(source, operation);
        }
        else if (operation is null)
        {
            // Nobody waits for this end (a timeout or a link); it still follows the slot's earlier end.
            var retirement = new Retirement(this, source, null, null, after: slot.PeekPendingEnd());
            SetPendingEnd(slot, retirement);
            Interlocked.Increment(ref _outstanding);
            Schedule(retirement);
        }
        else
        {
            (operation.Dispatched ??= new List<(CancellationTokenSource, TokenSlot)>(1)).Add((source, slot));
        }
    }

    /// <summary>
    /// Replies to <paramref name="operation"/>: at once, or after its dispatched retirements and, for a
    /// request about one slot, after the dispatched ends of that slot still running.
    /// </summary>
    private void Finish(Operation operation, CancellationToken token = default, bool flag = false)
    {
        var dispatched = operation.Dispatched;
        var after = operation.Kind is OperationKind.Dispose or OperationKind.CancelAll ? null : operation.Slot!.PeekPendingEnd();
        var alsoAfter = operation.Kind == OperationKind.CancelAll ? UnfinishedEnds() : null;
        if (dispatched is null && after is null && alsoAfter is null)
        {
            operation.Complete(token, flag);
            return;
        }

        operation.Dispatched = null;
        var detached = operation.Detached;
        var retirement = new Retirement(this, null, dispatched, detached ? null : operation, token, flag, after, alsoAfter);
        if (dispatched is not null)
        {
            foreach (var (_, slot) in dispatched)
            {
                SetPendingEnd(slot, retirement);
            }
        }

        // Counted before anyone can run it, let alone answer: Completion must not complete while this is
        // pending (a helping caller below may finish it before this method returns).
        Interlocked.Increment(ref _outstanding);
        if (operation.HasBlockedCaller && !detached)
        {
            // A synchronous caller waits for this reply: it may run the retirement (and the ones before
            // it) itself, so that its wait needs no free pool thread.
            operation.OfferHelp(retirement);
        }

        if (detached)
        {
            operation.Complete(token, flag);
        }

        if (dispatched is null)
        {
            // Nothing to cancel here: just queue the reply behind the earlier end, without a hop.
            retirement.Run();
        }
        else
        {
            Schedule(retirement);
        }
    }

    /// <summary>
    /// Lets a synchronous caller run a dispatched retirement its reply waits for (and the earlier ones it
    /// follows) on its own thread, where the placement allows it: with <see cref="CallbackPlacement.ThreadPool"/>
    /// (the callbacks still run off the processing path), or with <see cref="CallbackPlacement.SynchronizationContext"/>
    /// when the caller is on that context. Whatever the pool or context has not started yet then needs
    /// neither a free pool thread nor the context's thread, which may be the blocked caller's own.
    /// </summary>
    internal void HelpWith(Retirement retirement)
    {
        if (_placement == CallbackPlacement.ThreadPool || SynchronizationContext.Current == _callbackContext)
        {
            retirement.RunChain();
        }
    }

    /// <summary>
    /// Records a dispatched end as its slot's pending end, and in the owner's list of them, which a
    /// cancel-all follows. Processing path only.
    /// </summary>
    private void SetPendingEnd(TokenSlot slot, Retirement retirement)
    {
        slot.PendingEnd = retirement;
        _pendingEnds ??= new List<Retirement>();
        if (_pendingEnds.Count > 0 && _pendingEnds[^1] == retirement)
        {
            return;
        }

        if (_pendingEnds.Count >= _prunePendingEndsAt)
        {
            _pendingEnds.RemoveAll(static end => end.IsFinished);
            _prunePendingEndsAt = Math.Max(16, 2 * _pendingEnds.Count);
        }

        _pendingEnds.Add(retirement);
    }

    /// <summary>
    /// Every dispatched end still running, of any slot: a cancel-all answers after them, as it may have
    /// ended tokens that replaced theirs, and a caller told "everything ended" must not see one of them
    /// live. Processing path only, before the cancel-all's own ends are recorded.
    /// </summary>
    private Retirement[]? UnfinishedEnds()
    {
        if (_pendingEnds is null)
        {
            return null;
        }

        _pendingEnds.RemoveAll(static end => end.IsFinished);
        return _pendingEnds.Count == 0 ? null : _pendingEnds.ToArray();
    }

    private void Schedule(Retirement retirement)
    {
        if (_placement == CallbackPlacement.SynchronizationContext)
        {
            _callbackContext!.Post(s_retireOnContext, retirement);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(s_retireOnThreadPool, retirement);
        }
    }

    /// <summary>
    /// Cancels then disposes an ended source, applying the exception policy. Runs on the processing
    /// path, or on the thread a <see cref="Retirement"/> was dispatched to.
    /// </summary>
    private void CancelAndDispose(CancellationTokenSource source, Operation? operation)
    {
        ScheduleHooks.At(HookPoint.BeforeCancel);
        try
        {
            source.Cancel();
        }
        catch (Exception ex)
        {
            if (LifetimeMetrics.Recording && LifetimeMetrics.CallbackExceptions.Enabled)
            {
                LifetimeMetrics.CallbackExceptions.Add(ex is AggregateException aggregate ? aggregate.InnerExceptions.Count : 1);
            }

            if (_throwOnCancelException && operation is { Detached: false })
            {
                operation.AddError(ex);
            }
            else
            {
                Report(ex);
            }
        }
        finally
        {
            ScheduleHooks.At(HookPoint.AfterCancel);
            source.Dispose();
            SourceReleased();
        }
    }

    private void Report(Exception exception)
    {
        try
        {
            _onCancelException?.Invoke(exception);
        }
#pragma warning disable CA1031 // A throwing reporter must not break cleanup: swallowing is the documented policy.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Activate(TokenSlot slot)
    {
        if (slot.IsActive)
        {
            return;
        }

        slot.IsActive = true;
        slot.ActivePrevious = null;
        slot.ActiveNext = _activeSlots;
        if (_activeSlots is not null)
        {
            _activeSlots.ActivePrevious = slot;
        }

        _activeSlots = slot;
    }

    private void Deactivate(TokenSlot slot)
    {
        if (!slot.IsActive)
        {
            return;
        }

        slot.IsActive = false;
        if (slot.ActivePrevious is null)
        {
            _activeSlots = slot.ActiveNext;
        }
        else
        {
            slot.ActivePrevious.ActiveNext = slot.ActiveNext;
        }

        if (slot.ActiveNext is not null)
        {
            slot.ActiveNext.ActivePrevious = slot.ActivePrevious;
        }

        slot.ActiveNext = null;
        slot.ActivePrevious = null;
    }

    private void Process(IOwnerMessage message)
    {
        if (LifetimeMetrics.Recording && LifetimeMetrics.ProcessingDuration.Enabled && LifetimeMetrics.SampleThisMessage())
        {
            ProcessTimed(message);
            return;
        }

        try
        {
            message.Process(this);
        }
#pragma warning disable CA1031 // The processing path must survive to dispose what it owns and report the failure through Completion.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OnProcessingFailure(message, ex);
        }
    }

    /// <summary>
    /// <see cref="Process(IOwnerMessage)"/> for a request known to be an operation (the inline one): the
    /// same failure handling, without the interface dispatch.
    /// </summary>
    private void Process(Operation operation)
    {
        if (LifetimeMetrics.Recording && LifetimeMetrics.ProcessingDuration.Enabled && LifetimeMetrics.SampleThisMessage())
        {
            ProcessTimed(operation);
            return;
        }

        try
        {
            Execute(operation);
        }
#pragma warning disable CA1031 // As in Process(IOwnerMessage): the path must survive to dispose what it owns.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OnProcessingFailure(operation, ex);
        }
    }

    /// <summary><see cref="Process(IOwnerMessage)"/> for a message in the processing-duration histogram's timed sample.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ProcessTimed(IOwnerMessage message)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            message.Process(this);
        }
#pragma warning disable CA1031 // As in Process(IOwnerMessage): the path must survive to dispose what it owns.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OnProcessingFailure(message, ex);
        }

        LifetimeMetrics.RecordProcessing(started);
    }

    /// <summary>
    /// The processing path itself failed (not a callback: those obey the exception policy). The request
    /// that was being processed faults with the exception, the owner disposes itself, and
    /// <see cref="Completion"/> faults with it.
    /// </summary>
    private void OnProcessingFailure(IOwnerMessage message, Exception exception)
    {
        _fault ??= exception;
        if (message is Operation operation)
        {
            // Sources the request had already taken out of their slots, for dispatching at its reply,
            // are held by nothing else any more: end them here.
            if (operation.Dispatched is { } taken)
            {
                operation.Dispatched = null;
                foreach (var (source, _) in taken)
                {
                    CancelAndDispose(source, null);
                }
            }

            try
            {
                operation.Fail(exception);
            }
            catch (InvalidOperationException)
            {
                // It had already been answered before the failure.
            }
        }

        TryDecideEnd(endOfLife: false);
        _closed = true;
        _mailbox.Writer.TryComplete();
        if (!_disposed)
        {
            _disposed = true;
            TokenRegistration.Remove(_outerRegistration);
            while (_activeSlots is { } slot)
            {
                try
                {
                    EndCurrent(slot, null, TokenEndCause.OwnerDisposed);
                }
#pragma warning disable CA1031 // The failure being handled may be the clock's: EndCurrent ends the source before it tells the wheel, which then drops the slot when it next looks.
                catch (Exception)
#pragma warning restore CA1031
                {
                }

                // Progress even for a slot left active without a source.
                Deactivate(slot);
            }

            _disposeDone = true;
            _disposeProcessed.TrySetResult(true);
        }
    }

    /// <summary>
    /// Releases the processing path's count once the owner is disposed and its closed mailbox is empty.
    /// Called by whoever last drained, and by the sender of the disposal.
    /// </summary>
    private void CompleteIfDrained()
    {
        if (_disposeDone && _mailbox.Reader.Completion.IsCompleted && Interlocked.Exchange(ref _drainReleased, 1) == 0)
        {
            ReleaseOutstanding();
        }
    }

    private void ReleaseOutstanding()
    {
        if (Interlocked.Decrement(ref _outstanding) != 0)
        {
            return;
        }

        LifetimeMetrics.OwnerCompleted();

        if (_fault is { } fault)
        {
            _completion.TrySetException(fault);
        }
        else
        {
            _completion.TrySetResult(true);
        }
    }

    /// <summary>
    /// Ended sources handed away from the processing path (<see cref="CallbackPlacement.ThreadPool"/> or
    /// <see cref="CallbackPlacement.SynchronizationContext"/>): cancels and disposes them there, then
    /// answers the operation that ended them, if any.
    /// </summary>
    internal sealed class Retirement
    {
        private static readonly object s_finished = new();

        // The owner whose retirement the current thread is running, if any (see IsRunningOn).
        [ThreadStatic]
        private static TokenOwner? s_running;

        private readonly TokenOwner _owner;
        private readonly CancellationTokenSource? _source;
        private readonly List<(CancellationTokenSource Source, TokenSlot Slot)>? _sources;
        private readonly Operation? _reply;
        private readonly CancellationToken _token;
        private readonly bool _flag;

        // The earlier ends this one follows; cleared once finished, so that a finished retirement does
        // not keep a chain of earlier ones reachable.
        private Retirement? _after;
        private Retirement[]? _alsoAfter;

        // How many of _after and _alsoAfter this one has waited for so far.
        private int _waited;

        // 1 once a thread has taken this retirement to run: the pool's or context's work item, or a
        // synchronous caller that helps (HelpWith). Whoever takes it runs it; the other leaves.
        private int _claimed;

        // The retirements whose replies wait for this one to finish (a stack linked through _sibling), or
        // s_finished once it has.
        private object? _followers;
        private Retirement? _sibling;

        public Retirement(TokenOwner owner, CancellationTokenSource? source, List<(CancellationTokenSource Source, TokenSlot Slot)>? sources, Operation? reply, CancellationToken token = default, bool flag = false, Retirement? after = null, Retirement[]? alsoAfter = null)
        {
            _owner = owner;
            _source = source;
            _sources = sources;
            _reply = reply;
            _token = token;
            _flag = flag;
            _after = after;
            _alsoAfter = alsoAfter;
        }

        public bool IsFinished => Volatile.Read(ref _followers) == s_finished;

        /// <summary>Whether the current thread is running a retirement of <paramref name="owner"/>, i.e. its callbacks.</summary>
        public static bool IsRunningOn(TokenOwner owner) => s_running == owner;

        public void Run()
        {
            if (Interlocked.Exchange(ref _claimed, 1) != 0)
            {
                return;
            }

            var outer = s_running;
            s_running = _owner;
            try
            {
                if (_source is not null)
                {
                    _owner.CancelAndDispose(_source, _reply);
                }

                if (_sources is not null)
                {
                    foreach (var (source, _) in _sources)
                    {
                        _owner.CancelAndDispose(source, _reply);
                    }
                }
            }
            finally
            {
                s_running = outer;
            }

            // Answer only after the earlier ends this one must follow; while one is still running, it
            // finishes this one when it finishes itself.
            if (!WaitForEarlierEnd())
            {
                FinishChain(this);
            }
        }

        /// <summary>
        /// Runs every earlier end this one follows, transitively, and then this one, where nobody has taken
        /// them yet (a synchronous caller helping; see <see cref="HelpWith"/>).
        /// </summary>
        public void RunChain()
        {
            var found = new List<Retirement>();
            var seen = new HashSet<Retirement>();
            var next = new Stack<Retirement>();
            next.Push(this);
            while (next.Count > 0)
            {
                var retirement = next.Pop();
                if (!seen.Add(retirement))
                {
                    continue;
                }

                found.Add(retirement);
                if (Volatile.Read(ref retirement._after) is { } after)
                {
                    next.Push(after);
                }

                foreach (var also in Volatile.Read(ref retirement._alsoAfter) ?? [])
                {
                    next.Push(also);
                }
            }

            // Earliest first, as the pool would have run them.
            for (var i = found.Count - 1; i >= 0; i--)
            {
                found[i].Run();
            }
        }

        /// <summary>
        /// Becomes the follower of the next earlier end still running, one at a time; false once none is left.
        /// </summary>
        private bool WaitForEarlierEnd()
        {
            var count = 1 + (_alsoAfter?.Length ?? 0);
            while (_waited < count)
            {
                var earlier = _waited == 0 ? _after : _alsoAfter![_waited - 1];
                _waited++;
                if (earlier is not null && earlier.TryAddFollower(this))
                {
                    return true;
                }
            }

            return false;
        }

        private bool TryAddFollower(Retirement follower)
        {
            while (true)
            {
                var head = Volatile.Read(ref _followers);
                if (head == s_finished)
                {
                    return false;
                }

                follower._sibling = (Retirement?)head;
                if (Interlocked.CompareExchange(ref _followers, follower, head) == head)
                {
                    return true;
                }
            }
        }

        /// <summary>
        /// Finishes <paramref name="first"/> and then every retirement waiting on it, transitively, in a
        /// loop rather than by recursion: a long chain of renews on a busy context must not overflow the stack.
        /// </summary>
        private static void FinishChain(Retirement first)
        {
            first._sibling = null;
            var work = first;
            while (work is not null)
            {
                var current = work;
                work = current._sibling;
                if (current != first && current.WaitForEarlierEnd())
                {
                    // Released by one earlier end, it now waits for another.
                    continue;
                }

                current._reply?.Complete(current._token, current._flag);
                Volatile.Write(ref current._after, null);
                Volatile.Write(ref current._alsoAfter, null);
                var followers = Interlocked.Exchange(ref current._followers, s_finished) as Retirement;
                current._owner.ReleaseOutstanding();
                while (followers is not null)
                {
                    var sibling = followers._sibling;
                    followers._sibling = work;
                    work = followers;
                    followers = sibling;
                }
            }
        }
    }
}
