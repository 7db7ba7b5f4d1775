using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>
/// Decides whether a complete concurrent history of one owner is linearizable: whether some sequential
/// order of its operations, consistent with real time (an operation answered before another was invoked
/// comes first), replays on the sequential model with the same answers, agrees with the token states seen
/// at each reply, and ends in the state observed afterwards (which tokens are cancelled). A depth-first
/// search in the style of Wing and Gong, memoised on (operations done, model state), as in CsCheck's
/// <c>SampleParallel</c>; histories are kept small (a few operations per thread per round) so that it
/// stays cheap.
/// </summary>
/// <remarks>
/// <para>
/// Token states at each reply (<see cref="HistoryEntry.LiveAtReply"/>): a token the order has already
/// ended when an operation takes effect (it was handed out by a renew placed at or before that operation
/// and is no longer any slot's current token after it) must not be seen live after that operation's
/// reply. So a reply can never come while a token that its own request, or any request ordered before
/// it, ended is still live: the dispatched placements' bug of issue 10, which a check of the final states
/// alone cannot see (by then every dispatched end has run). This is a second search, over the requests
/// only: the <c>IsCurrent</c> reads are left out of it, because with a dispatched placement a token leaves
/// its slot (and <c>IsCurrent</c> turns false, as documented) before its cancellation runs, and such a
/// read must not pin the order that the replies' token states are checked against. A renew refused at the
/// call site promises nothing about token states either (the relaxation below) and is not checked.
/// </para>
/// </remarks>
/// <remarks>
/// The end of life (guarantee 7 v2): the outer token firing ends every slot's token, one step per slot like
/// a disposal, unless an explicit disposal came first; the first of the two decides. After the end of life
/// a renew of a slot not retired before must answer with an already-cancelled token
/// (<see cref="Outcome.Ended"/>) and never throw; after an explicit disposal it must throw, never answer
/// an ended token. A renew may get the ended token as soon as the end of life was invoked (the call site
/// sees the decision before the processing path ends the tokens), as with the refusals below. The outer
/// token's <c>Cancel</c> returning promises nothing: the end may be processed after it.
/// </remarks>
/// <remarks>
/// A slot's retirement is two steps, in this order within its interval, as the owner does it: its request
/// at the call site, which decides whether it comes before the end of life (then the slot's renews throw
/// after the end too) or after it (nothing changes for renews); and its processing, which retires the slot
/// and ends its token unless the owner is disposed or ended by then. A retirement requested before the end
/// may so be processed after it, leaving the slot's token to the end's own step: its reply then promises
/// nothing about that token, as it did not end it.
/// </remarks>
/// <remarks>
/// Two documented relaxations are modelled, not flagged. A renew is refused at the call site as soon as
/// its slot's retirement (from the request step) or the owner's disposal is requested, before that request
/// is processed, while a renew that passed the call site before is still admitted. And
/// <c>CancelAllAsync</c> and <c>DisposeAsync</c> end the slots' tokens one after another, so a concurrent
/// <c>IsCurrent</c> may see some ended and others not yet: each is checked as one step per slot, all
/// within the operation's interval.
/// </remarks>
public static class LinearizabilityChecker
{
    private const int Slots = 3;
    private const int NoToken = -1;

    /// <summary>Null when the history is linearizable, else why not (with the history).</summary>
    /// <param name="history">Every operation, each answered.</param>
    /// <param name="cancelledAfter">Whether each token a renew returned was cancelled once all had answered.</param>
    public static string? Check(IReadOnlyList<HistoryEntry> history, IReadOnlyDictionary<CancellationToken, bool> cancelledAfter)
    {
        if (Check(history, cancelledAfter, checkReplies: false) is { } failure)
        {
            return failure;
        }

        // The requests alone, without the IsCurrent reads: see the remarks.
        var requests = history.Where(entry => entry.Kind != OpKind.IsCurrent).ToList();
        return Check(requests, cancelledAfter, checkReplies: true) is null ? null : ReplyFailure + "\n" + Describe(history);
    }

    /// <summary>The first line of a failure that only the token states seen at the replies explain.</summary>
    public const string ReplyFailure = "A reply was observed while a token that every sequential order of the requests had already ended was still live (the history is linearizable on its answers and final states alone).";

    private static string? Check(IReadOnlyList<HistoryEntry> history, IReadOnlyDictionary<CancellationToken, bool> cancelledAfter, bool checkReplies)
    {
        if (history.Count > 63)
        {
            return "History too long for the checker (at most 63 operations).";
        }

        // Name every token a renew returned; a token returned twice was recycled (guarantee 3).
        var ids = new Dictionary<CancellationToken, int>();
        foreach (var entry in history)
        {
            if (entry.Kind is OpKind.Renew or OpKind.RenewAfter && entry.Outcome == Outcome.Ok && !ids.TryAdd(entry.Token, ids.Count))
            {
                return "A token was handed out twice.\n" + Describe(history);
            }
        }

        if (ids.Count > 63)
        {
            return "Too many tokens for the checker's state encoding.";
        }

        var steps = new List<HistoryEntry>(history.Count);
        foreach (var entry in history)
        {
            if (entry.Kind == OpKind.Retire)
            {
                // The request first, then the processing, which carries the reply (see the remarks).
                steps.Add(new HistoryEntry(entry.Thread, OpKind.RetireRequest, entry.Slot) { Invoked = entry.Invoked, Answered = entry.Answered });
                steps.Add(entry);
            }
            else if (entry.Kind is OpKind.CancelAll or OpKind.Dispose or OpKind.EndLife)
            {
                var kind = entry.Kind switch { OpKind.CancelAll => OpKind.CancelAllOne, OpKind.Dispose => OpKind.DisposeOne, _ => OpKind.EndLifeOne };
                for (var slot = 0; slot < Slots; slot++)
                {
                    // Firing the outer token is no request to the owner: the canceller is not told when the
                    // end is done (it may be processed after Cancel returns, on the thread draining the
                    // mailbox, and its dispatched ends later still). So its steps may come at any point
                    // after it was invoked, and its return promises nothing about token states.
                    var endLife = entry.Kind == OpKind.EndLife;
                    steps.Add(new HistoryEntry(entry.Thread, kind, slot) { Invoked = entry.Invoked, Answered = endLife ? long.MaxValue : entry.Answered, LiveAtReply = endLife ? null : entry.LiveAtReply, Sync = entry.Sync });
                }
            }
            else
            {
                steps.Add(entry);
            }
        }

        if (steps.Count > 63)
        {
            return "History too long for the checker (at most 63 steps).";
        }

        var search = new Search(steps, ids, cancelledAfter, checkReplies);
        return search.Run(0, Initial()) ? null : "No sequential order explains this history.\n" + Describe(history);
    }

    private static ulong Initial()
    {
        var state = 0UL;
        for (var slot = 0; slot < Slots; slot++)
        {
            state = WithCurrent(state, slot, NoToken);
        }

        return state;
    }

    // State: bit 0 disposed; per slot, bit (1 + 8s) retired (processed) and bits (2 + 8s)..(8 + 8s) current
    // token + 1, and bit (32 + s) its retirement requested before the end of life; bit 62 the life ended
    // (set with bit 0 when the end of life came first).
    private const ulong LifeEndedBit = 1UL << 62;

    private static bool Disposed(ulong state) => (state & 1) != 0;

    private static bool LifeEnded(ulong state) => (state & LifeEndedBit) != 0;

    private static bool Retired(ulong state, int slot) => (state & (1UL << (1 + (8 * slot)))) != 0;

    private static ulong RetireRequestedBit(int slot) => 1UL << (32 + slot);

    private static bool RetireRequested(ulong state, int slot) => (state & RetireRequestedBit(slot)) != 0;

    private static int Current(ulong state, int slot) => (int)((state >> (2 + (8 * slot))) & 0x7F) - 1;

    private static ulong WithCurrent(ulong state, int slot, int token) =>
        (state & ~(0x7FUL << (2 + (8 * slot)))) | ((ulong)(token + 1) << (2 + (8 * slot)));

    private static string Describe(IReadOnlyList<HistoryEntry> history) =>
        string.Join("\n", history.OrderBy(e => e.Invoked).Select(e => "  " + e));

    private sealed class Search
    {
        private readonly IReadOnlyList<HistoryEntry> _history;
        private readonly Dictionary<CancellationToken, int> _ids;
        private readonly IReadOnlyDictionary<CancellationToken, bool> _cancelledAfter;
        private readonly HashSet<(ulong Done, ulong State)> _dead = new();
        private readonly ulong _all;

        // Per step: the ids of the tokens seen live after its reply (none for replies that promise nothing).
        private readonly ulong[] _liveAtReply;

        // Per token id: the bit of the step (its renew) that handed it out.
        private readonly ulong[] _issuedBy;

        // Per step: the steps that must be done before it (a retirement's request before its processing).
        private readonly ulong[] _after;

        public Search(IReadOnlyList<HistoryEntry> history, Dictionary<CancellationToken, int> ids, IReadOnlyDictionary<CancellationToken, bool> cancelledAfter, bool checkReplies)
        {
            _history = history;
            _ids = ids;
            _cancelledAfter = cancelledAfter;
            _all = history.Count == 64 ? ulong.MaxValue : (1UL << history.Count) - 1;
            _liveAtReply = new ulong[history.Count];
            _issuedBy = new ulong[ids.Count];
            _after = new ulong[history.Count];
            for (var i = 0; i < history.Count; i++)
            {
                var entry = history[i];
                if (entry.Kind == OpKind.Retire)
                {
                    System.Diagnostics.Debug.Assert(i > 0 && history[i - 1].Kind == OpKind.RetireRequest, "A retirement's request step comes just before it.");
                    _after[i] = 1UL << (i - 1);
                }

                if (entry.Kind is OpKind.Renew or OpKind.RenewAfter && entry.Outcome == Outcome.Ok)
                {
                    _issuedBy[ids[entry.Token]] = 1UL << i;
                }

                // A refused renew promises nothing about token states.
                if (checkReplies && entry.Outcome == Outcome.Ok && entry.LiveAtReply is { } live)
                {
                    foreach (var token in live)
                    {
                        if (ids.TryGetValue(token, out var id))
                        {
                            _liveAtReply[i] |= 1UL << id;
                        }
                    }
                }
            }
        }

        public bool Run(ulong done, ulong state)
        {
            if (done == _all)
            {
                return FinalStateMatches(state);
            }

            if (_dead.Contains((done, state)))
            {
                return false;
            }

            var firstAnswer = long.MaxValue;
            for (var i = 0; i < _history.Count; i++)
            {
                if ((done & (1UL << i)) == 0 && _history[i].Answered < firstAnswer)
                {
                    firstAnswer = _history[i].Answered;
                }
            }

            for (var i = 0; i < _history.Count; i++)
            {
                // Only an operation invoked before every pending one was answered can come next.
                if ((done & (1UL << i)) == 0 && _history[i].Invoked < firstAnswer && (done & _after[i]) == _after[i] && Step(state, _history[i], out var next) && ReplySeesEndsDone(i, done | (1UL << i), next) && Run(done | (1UL << i), next))
                {
                    return true;
                }
            }

            _dead.Add((done, state));
            return false;
        }

        private bool Step(ulong state, HistoryEntry entry, out ulong next)
        {
            next = state;
            var slot = entry.Slot;
            var live = !Disposed(state) && !Retired(state, slot);
            switch (entry.Kind)
            {
                case OpKind.Renew:
                case OpKind.RenewAfter:
                    if (LifeEnded(state))
                    {
                        // Guarantee 7 (v2): after the end of life a renew never throws, unless its slot's
                        // retirement was requested before the end (processed or not).
                        return entry.Outcome == (RetireRequested(state, slot) ? Outcome.Disposed : Outcome.Ended);
                    }

                    if (!live)
                    {
                        return entry.Outcome == Outcome.Disposed;
                    }

                    if (entry.Outcome == Outcome.Ended)
                    {
                        // The end of life was decided at its call, before its steps: the same relaxation.
                        return EndOfLifeInvokedBefore(entry);
                    }

                    if (entry.Outcome != Outcome.Ok)
                    {
                        // Documented relaxation: a renew is refused at the call site as soon as the slot's
                        // retirement (its request step) or the owner's disposal has been requested, before
                        // that request is processed; such a refusal changes nothing. A renew that passed the
                        // call site before is still admitted until the retirement is processed.
                        return RetireRequested(state, slot) || DisposeRequestedBefore(entry);
                    }

                    next = WithCurrent(state, slot, _ids[entry.Token]);
                    return true;
                case OpKind.Cancel:
                    next = WithCurrent(state, slot, NoToken);
                    return true;
                case OpKind.TouchZero:
                case OpKind.TouchLonger:
                    var hasToken = live && Current(state, slot) != NoToken;
                    if (entry.Flag != hasToken)
                    {
                        return false;
                    }

                    if (hasToken && entry.Kind == OpKind.TouchZero)
                    {
                        next = WithCurrent(state, slot, NoToken);
                    }

                    return true;
                case OpKind.IsCurrent:
                    var current = _ids.TryGetValue(entry.Argument, out var id) && Current(state, slot) == id;
                    return entry.Flag == current;
                case OpKind.CancelAllOne:
                    next = WithCurrent(state, slot, NoToken);
                    return true;
                case OpKind.DisposeOne:
                    if (!LifeEnded(state))
                    {
                        next = WithCurrent(state, slot, NoToken) | 1;
                    }

                    return true;
                case OpKind.EndLifeOne:
                    // The first of an explicit disposal and the end of life decides.
                    if (!Disposed(state) || LifeEnded(state))
                    {
                        next = WithCurrent(state, slot, NoToken) | 1 | LifeEndedBit;
                    }

                    return true;
                case OpKind.RetireRequest:
                    // Before the end of life (or after an explicit disposal) it retires the slot for renews;
                    // after the end it changes nothing.
                    if (!LifeEnded(state))
                    {
                        next = state | RetireRequestedBit(slot);
                    }

                    return true;
                case OpKind.Retire:
                    if (live)
                    {
                        next = WithCurrent(state | (1UL << (1 + (8 * slot))), slot, NoToken);
                    }

                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// Whether no token seen live after step <paramref name="step"/>'s reply was already ended once that
        /// step took effect: handed out by a step in <paramref name="done"/> and no slot's current token in
        /// <paramref name="state"/> (tokens are never current again once ended).
        /// </summary>
        private bool ReplySeesEndsDone(int step, ulong done, ulong state)
        {
            var live = _liveAtReply[step];
            if (live == 0)
            {
                return true;
            }

            var current = 0UL;
            for (var slot = 0; slot < Slots; slot++)
            {
                if (Current(state, slot) is var id and not NoToken)
                {
                    current |= 1UL << id;
                }
            }

            for (var id = 0; live >> id != 0; id++)
            {
                if ((live & (1UL << id)) != 0 && (done & _issuedBy[id]) != 0 && (current & (1UL << id)) == 0)
                {
                    return false;
                }
            }

            return true;
        }

        private bool EndOfLifeInvokedBefore(HistoryEntry renew)
        {
            foreach (var other in _history)
            {
                if (other.Invoked < renew.Answered && other.Kind == OpKind.EndLifeOne)
                {
                    return true;
                }
            }

            return false;
        }

        private bool DisposeRequestedBefore(HistoryEntry renew)
        {
            foreach (var other in _history)
            {
                if (other.Invoked < renew.Answered && other.Kind == OpKind.DisposeOne)
                {
                    return true;
                }
            }

            return false;
        }

        private bool FinalStateMatches(ulong state)
        {
            foreach (var (token, id) in _ids)
            {
                var live = false;
                for (var slot = 0; slot < Slots; slot++)
                {
                    live |= Current(state, slot) == id;
                }

                if (_cancelledAfter[token] == live)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
