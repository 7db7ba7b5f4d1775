using System;
using System.Diagnostics;
using System.Threading;

namespace Lifetime;

// Processing one message with its failure handling, and Completion: one count for the processing path
// until it has disposed and drained, plus one per dispatched end, and the owner completes when the count
// reaches zero. A failure of the processing path itself faults Completion.
public sealed partial class TokenOwner
{
    private Exception? _fault;

    /// <summary>
    /// The processing thread's meter counts while it processes a message with a listener attached, null
    /// otherwise (then nothing on the path counts: <see cref="Process(IOwnerMessage)"/> already found every
    /// instrument off). Read only on the processing path: another thread adding to them would race the
    /// owning thread's plain writes.
    /// </summary>
    private LifetimeMetrics.ThreadCounts? _counts;

    // Completion bookkeeping, shared with dispatched ends: one count for the processing path
    // until it has disposed and drained, plus one per end handed away from it.
    private int _outstanding = 1;

    private void Process(IOwnerMessage message)
    {
        var counts = LifetimeMetrics.Recording ? LifetimeMetrics.CountsForMessage() : null;
        var started = counts is null ? 0 : StartCounting(counts);
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

        if (counts is not null)
        {
            StopCounting(started);
        }
    }

    /// <summary>
    /// <see cref="Process(IOwnerMessage)"/> for a request known to be an operation (the inline one): the
    /// same failure handling and counting, without the interface dispatch.
    /// </summary>
    private void Process(Operation operation)
    {
        var counts = LifetimeMetrics.Recording ? LifetimeMetrics.CountsForMessage() : null;
        var started = counts is null ? 0 : StartCounting(counts);
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

        if (counts is not null)
        {
            StopCounting(started);
        }
    }

    /// <summary>
    /// While a listener counts, the processing path adds to <paramref name="counts"/> (this thread's)
    /// through <see cref="_counts"/> for the whole message, and one message in
    /// <see cref="LifetimeMetrics.SampleInterval"/> is timed for the histogram: returns its start, or 0.
    /// </summary>
    private long StartCounting(LifetimeMetrics.ThreadCounts counts)
    {
        _counts = counts;
        return LifetimeMetrics.ProcessingDuration.Enabled && counts.SampleThisMessage() ? Stopwatch.GetTimestamp() : 0;
    }

    /// <summary>Ends what <see cref="StartCounting"/> began, after the message (its failure handling included).</summary>
    private void StopCounting(long started)
    {
        _counts = null;
        if (started != 0)
        {
            LifetimeMetrics.RecordProcessing(started);
        }
    }

    /// <summary>
    /// The processing path itself failed (not a callback: those obey the exception policy). The request
    /// that was being processed (<paramref name="message"/>; null for a renew run without an operation,
    /// whose caller gets the exception from <see cref="RenewWithoutOperation"/>) faults with the
    /// exception, the owner disposes itself, and <see cref="Completion"/> faults with it.
    /// </summary>
    private void OnProcessingFailure(IOwnerMessage? message, Exception exception)
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
                    CancelAndDispose(source, null, onPath: false);
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
        TryAdvance(DisposalState.Closed);
        _mailbox.Writer.TryComplete();
        if (TryAdvance(DisposalState.Disposed))
        {
            TokenRegistration.Remove(_outerRegistration);
            for (var slot = TakeActiveSlots(); slot != TokenSlot.EndOfList;)
            {
                var current = slot;
                slot = NextTaken(slot);
                try
                {
                    EndCurrent(current, null, TokenEndCause.OwnerDisposed);
                }
#pragma warning disable CA1031 // The failure being handled may be the clock's: EndCurrent ends the source before it tells the wheel, which then drops the slot when it next looks.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }

            TryAdvance(DisposalState.Answered);
            _disposeProcessed.TrySetResult(true);
        }
    }

    /// <summary>
    /// Releases the processing path's count once the owner is disposed and its closed mailbox is empty.
    /// Called by whoever last drained, and by the sender of the disposal.
    /// </summary>
    private void CompleteIfDrained()
    {
        if (IsDisposalAnswered && _mailbox.Reader.Completion.IsCompleted && TryAdvance(DisposalState.Drained))
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
}
