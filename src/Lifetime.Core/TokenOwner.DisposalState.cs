using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime;

// How far the owner's disposal has got: one state word, moved only forward, and the two waitable
// signals set at its last steps. How the owner ends (explicit disposal or end of life) is a separate
// decision, _end in TokenOwner.EndOfLife.cs.
public sealed partial class TokenOwner
{
    // A DisposalState, as an int for Interlocked (netstandard2.1 has no CompareExchange for an enum).
    // Moved only by TryAdvance. Read with Volatile.Read off the processing path.
    private int _state;

    // Set once the state has reached Answered and the mailbox's writer is completed: what a second
    // synchronous Dispose() waits for (SendAndBlock).
    private readonly TaskCompletionSource<bool> _disposeProcessed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Set once the state has reached Drained and every dispatched end has finished (_outstanding reaches
    // zero in ReleaseOutstanding): Completion.
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// How far the owner's disposal has got, in the order it gets there. Each state implies every earlier
    /// one, so a question is one comparison (<see cref="IsClosed"/>, <see cref="IsDisposed"/>,
    /// <see cref="IsDisposalAnswered"/>). The state only moves forward (<see cref="TryAdvance"/>, a
    /// compare-exchange): two threads may move it at once, and a plain write could take it back.
    /// </summary>
    /// <remarks>
    /// A failure of the processing path (<see cref="OnProcessingFailure"/>) goes through Closed, Disposed
    /// and Answered in one go, whether or not a disposal was sent. Two of the moves are made by threads
    /// other than the processing path: to Closed by the sender of the disposal (<see cref="SendDispose"/>:
    /// a caller of Dispose or DisposeAsync, the outer token's callback, or the constructor when the outer
    /// token is already cancelled), and to Drained by whichever thread finds the drained mailbox after the
    /// answer (<see cref="CompleteIfDrained"/>: a drainer after it released the gate, or the sender).
    /// </remarks>
    private enum DisposalState
    {
        /// <summary>No disposal sent: requests are admitted, and an idle owner runs them on the caller's thread.</summary>
        Open,

        /// <summary>
        /// The disposal (or end of life) was sent: the end is decided, call sites refuse renews and the
        /// idle fast path is off; requests written before are still processed. Set by the sender before it
        /// writes the request (<see cref="SendDispose"/>), or by <see cref="OnProcessingFailure"/>.
        /// </summary>
        Closed,

        /// <summary>
        /// The processing path took the disposal: it ends every token in the same message, and every
        /// later message about a token is a no-op or a refusal. Processing path only
        /// (<see cref="ExecuteDispose"/>, <see cref="OnProcessingFailure"/>).
        /// </summary>
        Disposed,

        /// <summary>
        /// Every token is ended, the disposal's request answered and its dispatched ends counted in
        /// <c>_outstanding</c>: the processing path may release its own count once the mailbox is drained.
        /// Processing path only, before it completes the mailbox's writer.
        /// </summary>
        Answered,

        /// <summary>
        /// The closed mailbox was found empty after the answer, and the processing path's count on
        /// <c>_outstanding</c> released, once (<see cref="CompleteIfDrained"/>, any thread).
        /// </summary>
        Drained,
    }

    /// <summary>
    /// Whether the disposal (or end of life) was sent: call sites refuse renews and the idle fast path is
    /// off. Any thread.
    /// </summary>
    internal bool IsClosed => Volatile.Read(ref _state) >= (int)DisposalState.Closed;

    /// <summary>
    /// Whether the processing path took the disposal. Processing path only, where a plain read is
    /// enough: only the path moves the state to Disposed, and each holder of the gate sees what earlier
    /// holders wrote (the gate is taken and released with Interlocked).
    /// </summary>
    private bool IsDisposed => _state >= (int)DisposalState.Disposed;

    /// <summary>Whether the disposal was answered, so that the drained path may release its count. Any thread.</summary>
    private bool IsDisposalAnswered => Volatile.Read(ref _state) >= (int)DisposalState.Answered;

    /// <summary>
    /// Moves the state forward to <paramref name="next"/>: true when this call made the move, false when
    /// the state was there or beyond already. Never moves it back. A full fence, as the volatile writes of
    /// the fields it replaced were at least release writes.
    /// </summary>
    private bool TryAdvance(DisposalState next)
    {
        var current = Volatile.Read(ref _state);
        while (current < (int)next)
        {
            Debug.Assert(current == (int)next - 1, "The disposal states are reached one after the other.");
            var seen = Interlocked.CompareExchange(ref _state, (int)next, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }
}
