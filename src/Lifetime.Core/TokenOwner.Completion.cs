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
    /// exception, the owner disposes itself, and <see cref="Completion"/> faults with it. A disposal being
    /// processed is answered as done instead, once every token has ended: disposing never throws the
    /// processing path's failure, <see cref="Completion"/> carries it.
    /// </summary>
    private void OnProcessingFailure(IOwnerMessage? message, Exception exception)
    {
        _fault ??= exception;
        var operation = message as Operation;
        if (operation?.Dispatched is { } taken)
        {
            // Sources the request had already taken out of their slots, for dispatching at its reply,
            // are held by nothing else any more: end them here.
            operation.Dispatched = null;
            foreach (var (source, _) in taken)
            {
                CancelAndDispose(source, null, onPath: false);
            }
        }

        if (operation is { Kind: not OperationKind.Dispose })
        {
            Reply(operation, exception);
        }

        TryDecideEnd(endOfLife: false);
        TryAdvance(DisposalState.Closed);
        _mailbox.Writer.TryComplete();
        if (TryAdvance(DisposalState.Disposed))
        {
            TokenRegistration.Remove(_outerRegistration);
            try
            {
                EndAll(null, TokenEndCause.OwnerDisposed);
            }
#pragma warning disable CA1031 // The failure being handled may be the clock's: EndAll has ended every token before it throws, and the wheel drops a slot without a source when it next looks.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        // Also when the failure came while the disposal itself was processed (past Disposed, not yet
        // answered): its tokens are ended (EndAll ends every one before it throws), so the disposal is
        // answered as done, like any disposal; the failure goes to Completion.
        TryAdvance(DisposalState.Answered);
        if (operation is { Kind: OperationKind.Dispose })
        {
            Reply(operation, null);
        }

        _disposeProcessed.TrySetResult(true);
    }

    /// <summary>Answers the request a failure interrupted: with the failure, or done (null).</summary>
    private static void Reply(Operation operation, Exception? failure)
    {
        try
        {
            if (failure is null)
            {
                operation.Complete();
            }
            else
            {
                operation.Fail(failure);
            }
        }
        catch (InvalidOperationException)
        {
            // It had already been answered before the failure.
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
