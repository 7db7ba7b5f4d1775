using System.Diagnostics;
using System.Threading;

namespace Lifetime;

// The state kept in each slot, grouped by who owns it. Only the owner's processing path reads or writes
// it, except where a comment says otherwise (the published source for IsCurrent, the deadline the wheel
// reads, and the wheel's own links). It lives in the slot rather than in side tables so that a slot costs
// one object.
public sealed partial class TokenSlot
{
    // Owner state (processing path only).
    private CancellationTokenSource? _source; // also read, volatile, by IsCurrent
    private LinkSet? _links; // made on the first linked renew, then reused
    private bool _retired;

    // The live token's deadline as a TimeProvider timestamp, or DeadlineWheel.NoDeadline. Written by the
    // processing path, and moved later in place by a caller's touch (compare-exchange,
    // TokenOwner.TryTouchInPlace), whose race with a timeout the path settles by claiming a due deadline
    // with a compare-exchange too (TokenOwner.OnDeadline); read, volatile, by the deadline wheel.
    internal long Deadline = DeadlineWheel.NoDeadline;

    // Deadline wheel state: written only under the wheel's drain gate, except WheelQueued, which the
    // processing path sets and the wheel clears (both atomically).
    internal TokenSlot? WheelNext;
    internal TokenSlot? WheelPrevious;
    internal int WheelBucket = -1;
    internal int WheelQueued;

    // With a dispatched placement, the last dispatched end of one of this slot's tokens; replies about
    // the slot wait for it while it runs (processing path only).
    internal TokenOwner.DispatchedEnd? PendingEnd;

    // The owner's list of slots holding a live source (processing path only).
    internal TokenSlot? ActiveNext;
    internal TokenSlot? ActivePrevious;
    internal bool IsActive;

    internal bool IsRetired => _retired;

    internal CancellationTokenSource? Source => _source;

    /// <summary>The live source as published for callers (a volatile read): any thread.</summary>
    internal CancellationTokenSource? PublishedSource => Volatile.Read(ref _source);

    /// <summary>Test hook: the link registrations of the live token, or null when it has none.</summary>
    internal object? FirstLink => _links is { IsEmpty: false } ? _links : null;

    /// <summary>Whether one of the live token's links is cancelled. Processing path only.</summary>
    internal bool HasCancelledLink => _links is { } links && links.AnyCancelled();

    /// <summary>Makes <paramref name="source"/> the live source. Processing path only.</summary>
    internal void Install(CancellationTokenSource source)
    {
        Debug.Assert(_source is null, "Take the previous source out first.");
        Debug.Assert(_links is null || _links.IsEmpty, "Links belong to the previous source.");
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
        _links?.RemoveAll();
        return source;
    }

    /// <summary>Links the live source to <paramref name="link"/>. Processing path only.</summary>
    internal void AddLink(CancellationToken link) => (_links ??= new LinkSet(this)).Add(link);

    internal void MarkRetired() => _retired = true;

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
}
