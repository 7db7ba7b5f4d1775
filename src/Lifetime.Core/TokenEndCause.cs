namespace Lifetime;

/// <summary>Why a token handed out by a <see cref="TokenOwner"/> ended, as <see cref="TokenOwner.GetEndCause"/> reports it.</summary>
/// <remarks>
/// The cause is recorded on the owner's processing path before the token's source is cancelled, so the
/// token's own cancellation callbacks can already read it. Once a token has ended, its cause never changes.
/// </remarks>
public enum TokenEndCause
{
    /// <summary>The token was not handed out by this owner (or is <see cref="System.Threading.CancellationToken.None"/>).</summary>
    Unknown,

    /// <summary>The token is still its slot's live token: nothing has ended it yet.</summary>
    Live,

    /// <summary>A renew of its slot replaced it.</summary>
    Renewed,

    /// <summary>
    /// Its deadline passed: the timeout of a timed renew, a <see cref="TokenOwner.TouchAsync"/> deadline, or
    /// <see cref="System.TimeSpan.Zero"/> given to either (a token born cancelled, or ended by the touch).
    /// </summary>
    TimedOut,

    /// <summary>One of the tokens it was linked to was cancelled (also when one already was at the renew).</summary>
    LinkCancelled,

    /// <summary>
    /// <see cref="TokenOwner.CancelAndDisposeAsync"/> (or its synchronous form) ended it, or it was handed to
    /// <see cref="TokenOwner.RenewOwnedAsync"/> already cancelled.
    /// </summary>
    Cancelled,

    /// <summary><see cref="TokenOwner.CancelAllAsync"/> (or its synchronous form) ended it.</summary>
    CancelledAll,

    /// <summary>Its slot was retired with <see cref="TokenSlot.DisposeAsync"/> or <see cref="TokenSlot.Dispose"/>.</summary>
    SlotDisposed,

    /// <summary>The owner was disposed explicitly, or disposed itself after its processing path failed.</summary>
    OwnerDisposed,

    /// <summary>
    /// The owner's life ended (its <see cref="TokenOwnerOptions.OuterToken"/> was cancelled): either the token
    /// was live then, or it was handed out after that end, already cancelled.
    /// </summary>
    OwnerEnded,
}
