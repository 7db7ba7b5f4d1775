using System.Diagnostics;
using System.Threading;

namespace Lifetime;

// The state kept in each slot, grouped by who owns it. Only the owner's processing path reads or writes
// it, except where a comment says otherwise (the published source for IsCurrent, the deadline the wheel
// reads and a caller's touch moves, the wheel's own links, and a caller's retirement request).
//
// A slot with a deadline costs 64 bytes plus its source: six fields. What only some slots need (links,
// a pending dispatched end, retirement) lives in an Extras object made on first use, which takes the
// place of the owner reference (_ownerOrExtras), so that a slot that never needs it pays nothing.
public sealed partial class TokenSlot
{
    // The owner, or, once the slot needed any, its Extras (which hold the owner). Replaced once, from the
    // owner to the Extras, by compare-exchange (callers and the processing path may both create them);
    // never changes after that. Read by any thread.
    private object _ownerOrExtras;

    // Owner state (processing path only).
    private CancellationTokenSource? _source; // also read, volatile, by IsCurrent and a caller's touch

    // The live token's deadline as a TimeProvider timestamp, or DeadlineWheel.NoDeadline. Written by the
    // processing path, and moved later in place by a caller's touch (compare-exchange,
    // TokenOwner.TryTouchInPlace), whose race with a timeout the path settles by claiming a due deadline
    // with a compare-exchange too (TokenOwner.OnDeadline); read, volatile, by the deadline wheel.
    internal long Deadline = DeadlineWheel.NoDeadline;

    // Deadline wheel state (under the wheel's drain gate only): a circular doubly linked bucket list
    // whose head is a sentinel slot of the wheel, so that unlinking needs no bucket index and filing
    // appends. Filed when WheelPrevious is not null.
    internal TokenSlot? WheelNext;
    internal TokenSlot? WheelPrevious;

    // The owner's list of slots that got a source, singly linked and ended by TokenSlot.EndOfList; not
    // null while the slot is listed. A slot whose token ended stays listed until the owner compacts the
    // list or walks it (TokenOwner.ActiveSlots.cs). Processing path only.
    internal TokenSlot? ActiveNext;

    /// <summary>A sentinel: the wheel's bucket heads and the end of an owner's active list. Never a real slot.</summary>
    private TokenSlot() => _ownerOrExtras = null!;

    /// <summary>The end of every owner's active list (a sentinel, so that a listed slot's <see cref="ActiveNext"/> is never null).</summary>
    internal static TokenSlot EndOfList { get; } = new();

    /// <summary>Makes a wheel bucket's head (a sentinel).</summary>
    internal static TokenSlot NewBucketHead() => new();

    internal bool IsRetired => _ownerOrExtras is Extras { Retired: true };

    // With a dispatched placement, the last dispatched end of one of this slot's tokens; replies about
    // the slot wait for it while it runs (processing path only).
    internal TokenOwner.DispatchedEnd? PendingEnd
    {
        get => (_ownerOrExtras as Extras)?.PendingEnd;
        set
        {
            if (value is not null || _ownerOrExtras is Extras)
            {
                GetExtras().PendingEnd = value;
            }
        }
    }

    internal CancellationTokenSource? Source => _source;

    /// <summary>The live source as published for callers (a volatile read): any thread.</summary>
    internal CancellationTokenSource? PublishedSource => Volatile.Read(ref _source);

    /// <summary>Test hook: the link registrations of the live token, or null when it has none.</summary>
    internal object? FirstLink => _ownerOrExtras is Extras { Links: { IsEmpty: false } links } ? links : null;

    /// <summary>Test hook: the registration on the live token's first link, or default when it has none.</summary>
    internal CancellationTokenRegistration FirstLinkRegistrationForTests => _ownerOrExtras is Extras { Links: { } links } ? links.FirstRegistrationForTests : default;

    /// <summary>Whether one of the live token's links is cancelled. Processing path only.</summary>
    internal bool HasCancelledLink => _ownerOrExtras is Extras { Links: { } links } && links.AnyCancelled();

    /// <summary>
    /// Makes <paramref name="source"/> the live source. Processing path only. The previous token's links, if
    /// <see cref="TakeSourceForRenew"/> kept them, are still registered: <see cref="SetLinks"/> or the
    /// token's end decides what becomes of them.
    /// </summary>
    internal void Install(CancellationTokenSource source)
    {
        Debug.Assert(_source is null, "Take the previous source out first.");
        Volatile.Write(ref _source, source);
    }

    /// <summary>
    /// Takes the live source out of the slot and removes its links; the caller ends it. The deadline is
    /// left for the caller to set. Processing path only.
    /// </summary>
    internal CancellationTokenSource? TakeSource()
    {
        var source = _source;
        if (source is null)
        {
            return null;
        }

        Volatile.Write(ref _source, null);
        (_ownerOrExtras as Extras)?.Links?.RemoveAll();
        return source;
    }

    /// <summary>
    /// <see cref="TakeSource"/> for a renew, which installs the next source at once: its links stay
    /// registered until <see cref="SetLinks"/> compares them with the next token's (or the next token's end
    /// removes them). Processing path only.
    /// </summary>
    internal CancellationTokenSource? TakeSourceForRenew()
    {
        var source = _source;
        if (source is not null)
        {
            Volatile.Write(ref _source, null);
        }

        return source;
    }

    /// <summary>
    /// Makes <paramref name="links"/> the links of the token a renew just installed. When the previous
    /// token followed the same links, their registrations are kept, so a renew linked to the same token as
    /// the last one (a session's, the host's stopping token) registers and removes nothing; otherwise they
    /// are removed and the new links registered. Returns true, registering nothing, when one of the links
    /// is already cancelled: the new token is then born ended. Processing path only.
    /// </summary>
    internal bool SetLinks(in RequestedLinks links)
    {
        var current = (_ownerOrExtras as Extras)?.Links;
        for (var i = 0; i < links.Count; i++)
        {
            if (links[i].IsCancellationRequested)
            {
                current?.RemoveAll();
                return true;
            }
        }

        if (current is not null && current.Follows(links))
        {
            return false;
        }

        current?.RemoveAll();
        for (var i = 0; i < links.Count; i++)
        {
            if (links[i].CanBeCanceled)
            {
                // If the link is cancelled meanwhile, the registration posts its message at once; it is
                // processed after this one and ends the token then.
                (current ??= GetExtras().Links = new LinkSet(this)).Add(links[i]);
            }
        }

        return false;
    }

    internal void MarkRetired() => GetExtras().Retired = true;

    /// <summary>
    /// Makes later renews fail at the call site, unless a renew of this slot was already answered with the
    /// end of life's token (<see cref="ClaimEndOfLifeAnswer"/>): the retirement then comes after the end.
    /// Any thread.
    /// </summary>
    private void RequestRetirement() => GetExtras().TryMoveFromOpen(Extras.RetireRequested);

    /// <summary>
    /// Whether a renew refused after the end of life gets the end of life's token: true unless the slot's
    /// retirement was requested first. Once true, a later retirement counts as after the end, so the slot
    /// never answers one renew with the ended token and a later one with <c>ObjectDisposedException</c>.
    /// Any thread.
    /// </summary>
    internal bool ClaimEndOfLifeAnswer() => IsDefault || GetExtras().TryMoveFromOpen(Extras.EndOfLifeAnswered);

    /// <summary>The slot's <see cref="Extras"/>, made on first use. Any thread.</summary>
    private Extras GetExtras()
    {
        var state = Volatile.Read(ref _ownerOrExtras);
        if (state is Extras extras)
        {
            return extras;
        }

        var created = new Extras((TokenOwner)state);
        return Interlocked.CompareExchange(ref _ownerOrExtras, created, state) == state ? created : (Extras)_ownerOrExtras;
    }

    /// <summary>
    /// The dispatched end a reply about this slot must follow, if it has not finished yet; a finished one
    /// is forgotten here, so that it holds no sources. Processing path only.
    /// </summary>
    internal TokenOwner.DispatchedEnd? PeekPendingEnd()
    {
        if (PendingEnd is { IsFinished: true })
        {
            PendingEnd = null;
        }

        return PendingEnd;
    }

    // The slot is its own deadline message: the wheel posts the slot when its deadline falls due.
    void IOwnerMessage.Process(TokenOwner owner) => owner.OnDeadline(this);

    /// <summary>What only some slots need, made on first use; holds the owner in the slot's place.</summary>
    private sealed class Extras
    {
        public Extras(TokenOwner owner) => Owner = owner;

        public TokenOwner Owner { get; }

        /// <summary>Neither a retirement was requested nor a renew answered with the end of life's token.</summary>
        public const int Open = 0;

        /// <summary>Dispose/DisposeAsync was called before the end of life: later renews fail at the call site.</summary>
        public const int RetireRequested = 1;

        /// <summary>A renew was answered with the end of life's token: a retirement now comes after the end.</summary>
        public const int EndOfLifeAnswered = 2;

        // Which of the two came first; moves from Open once, by compare-exchange, so both sides agree.
        private int _retirement;

        public bool IsRetireRequested => Volatile.Read(ref _retirement) == RetireRequested;

        /// <summary>Moves from <see cref="Open"/> to <paramref name="state"/>; true if the state is now <paramref name="state"/>.</summary>
        public bool TryMoveFromOpen(int state)
        {
            var was = Interlocked.CompareExchange(ref _retirement, state, Open);
            return was == Open || was == state;
        }

        // Processing path only, from here on.
        public bool Retired { get; set; }

        public LinkSet? Links { get; set; }

        public TokenOwner.DispatchedEnd? PendingEnd { get; set; }
    }
}
