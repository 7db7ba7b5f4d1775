using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace Lifetime;

// Dispatched ends: with CallbackPlacement.ThreadPool or SynchronizationContext, an ended source is
// cancelled and disposed away from the processing path, and the reply that waits for it is completed
// there, after every earlier end of the same slot (guarantee 3 across threads).
public sealed partial class TokenOwner
{
    private static readonly WaitCallback s_runOnThreadPool = static state => ((DispatchedEnd)state!).Run();
    private static readonly SendOrPostCallback s_runOnContext = static state => ((DispatchedEnd)state!).Run();

    // With a dispatched placement, the slots' pending ends, finished ones pruned now and then (processing
    // path only): what a cancel-all's reply follows.
    private List<DispatchedEnd>? _pendingEnds;
    private int _prunePendingEndsAt = 16;

    /// <summary>
    /// Lets a synchronous caller run a dispatched end its reply waits for (and the earlier ones it
    /// follows) on its own thread, where the placement allows it: with <see cref="CallbackPlacement.ThreadPool"/>
    /// (the callbacks still run off the processing path), or with <see cref="CallbackPlacement.SynchronizationContext"/>
    /// when the caller is on that context. Whatever the pool or context has not started yet then needs
    /// neither a free pool thread nor the context's thread, which may be the blocked caller's own.
    /// </summary>
    internal void HelpWith(DispatchedEnd end)
    {
        if (_placement == CallbackPlacement.ThreadPool || SynchronizationContext.Current == _callbackContext)
        {
            end.RunChain();
        }
    }

    /// <summary>
    /// Records a dispatched end as its slot's pending end, and in the owner's list of them, which a
    /// cancel-all follows. Processing path only.
    /// </summary>
    private void SetPendingEnd(TokenSlot slot, DispatchedEnd end)
    {
        slot.PendingEnd = end;
        _pendingEnds ??= new List<DispatchedEnd>();
        if (_pendingEnds.Count > 0 && _pendingEnds[^1] == end)
        {
            return;
        }

        if (_pendingEnds.Count >= _prunePendingEndsAt)
        {
            _pendingEnds.RemoveAll(static end => end.IsFinished);
            _prunePendingEndsAt = Math.Max(16, 2 * _pendingEnds.Count);
        }

        _pendingEnds.Add(end);
    }

    /// <summary>
    /// Every dispatched end still running, of any slot: a cancel-all or a disposal finishes after them, as it
    /// may have ended tokens that replaced theirs, and a caller told "everything ended" (or answered about a
    /// slot after the disposal) must not see one of them live. Processing path only, before the operation's
    /// own ends are recorded.
    /// </summary>
    private DispatchedEnd[]? UnfinishedEnds()
    {
        if (_pendingEnds is null)
        {
            return null;
        }

        _pendingEnds.RemoveAll(static end => end.IsFinished);
        return _pendingEnds.Count == 0 ? null : _pendingEnds.ToArray();
    }

    private void Dispatch(DispatchedEnd end)
    {
        if (_placement == CallbackPlacement.SynchronizationContext)
        {
            _callbackContext!.Post(s_runOnContext, end);
        }
        else
        {
#if LIFETIME_HOOKS
            ScheduleHooks.QueueToPool(s_runOnThreadPool, end);
#else
            ThreadPool.UnsafeQueueUserWorkItem(s_runOnThreadPool, end);
#endif
        }
    }

    /// <summary>
    /// Ended sources handed away from the processing path (<see cref="CallbackPlacement.ThreadPool"/> or
    /// <see cref="CallbackPlacement.SynchronizationContext"/>): cancels and disposes them there, then
    /// answers the operation that ended them, if any.
    /// </summary>
    internal sealed class DispatchedEnd
    {
        private static readonly object s_finished = new();

        // The owner whose end the current thread is running, if any (see IsRunningOn).
        [ThreadStatic]
        private static TokenOwner? s_running;

        private readonly TokenOwner _owner;
        private readonly CancellationTokenSource? _source;
        private readonly List<(CancellationTokenSource Source, TokenSlot Slot)>? _sources;
        private readonly Operation? _reply;
        private readonly CancellationToken _token;
        private readonly bool _flag;

        // The earlier ends this one follows; cleared once finished, so that a finished dispatched end does
        // not keep a chain of earlier ones reachable.
        private DispatchedEnd? _after;
        private DispatchedEnd[]? _alsoAfter;

        // How many of _after and _alsoAfter this one has waited for so far.
        private int _waited;

        // 1 once a thread has taken this dispatched end to run: the pool's or context's work item, or a
        // synchronous caller that helps (HelpWith). Whoever takes it runs it; the other leaves.
        private int _claimed;

        // The ends whose replies wait for this one to finish (a stack linked through _sibling), or
        // s_finished once it has.
        private object? _followers;
        private DispatchedEnd? _sibling;

        public DispatchedEnd(TokenOwner owner, CancellationTokenSource? source, List<(CancellationTokenSource Source, TokenSlot Slot)>? sources, Operation? reply, CancellationToken token = default, bool flag = false, DispatchedEnd? after = null, DispatchedEnd[]? alsoAfter = null)
        {
            // ThrowIfWaitingOnItself relies on it: with Inline placement every end runs on the processing path.
            Debug.Assert(owner._placement != CallbackPlacement.Inline, "Only a dispatched placement dispatches ends.");
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

        /// <summary>Whether the current thread is running a dispatched end of <paramref name="owner"/>, i.e. its callbacks.</summary>
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
                    _owner.CancelAndDispose(_source, _reply, onPath: false);
                }

                if (_sources is not null)
                {
                    foreach (var (source, _) in _sources)
                    {
                        _owner.CancelAndDispose(source, _reply, onPath: false);
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
            var found = new List<DispatchedEnd>();
            var seen = new HashSet<DispatchedEnd>();
            var next = new Stack<DispatchedEnd>();
            next.Push(this);
            while (next.Count > 0)
            {
                var end = next.Pop();
                if (!seen.Add(end))
                {
                    continue;
                }

                found.Add(end);
                if (Volatile.Read(ref end._after) is { } after)
                {
                    next.Push(after);
                }

                foreach (var also in Volatile.Read(ref end._alsoAfter) ?? [])
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

        private bool TryAddFollower(DispatchedEnd follower)
        {
            while (true)
            {
                var head = Volatile.Read(ref _followers);
                if (head == s_finished)
                {
                    return false;
                }

                follower._sibling = (DispatchedEnd?)head;
                if (Interlocked.CompareExchange(ref _followers, follower, head) == head)
                {
                    return true;
                }
            }
        }

        /// <summary>
        /// Finishes <paramref name="first"/> and then every end waiting on it, transitively, in a
        /// loop rather than by recursion: a long chain of renews on a busy context must not overflow the stack.
        /// </summary>
        private static void FinishChain(DispatchedEnd first)
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
                var followers = Interlocked.Exchange(ref current._followers, s_finished) as DispatchedEnd;
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
