using System;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime;

/// <summary>
/// A serial slot of a <see cref="TokenOwner"/>: at most one live token at a time, each renew ending the
/// previous one. Create slots with <see cref="TokenOwner.CreateSlot"/>; the owner's own renew methods act
/// on its default slot.
/// </summary>
/// <remarks>
/// <para>
/// A slot is a handle: every operation is a message to its owner, processed on the owner's single
/// processing path, which alone creates, cancels and disposes the slot's sources. This file is the
/// public surface; the state the owner and the deadline wheel keep in each slot is in
/// TokenSlot.State.cs.
/// </para>
/// <para>
/// All members are thread-safe. A cancellation callback may call any of them, including on its own slot:
/// the call becomes a message behind the one being processed.
/// </para>
/// </remarks>
public sealed partial class TokenSlot : IAsyncDisposable, IDisposable, IOwnerMessage
{
    internal TokenSlot(TokenOwner owner) => _ownerOrExtras = owner;

    /// <summary>Gets the owner whose processing path manages this slot.</summary>
    public TokenOwner Owner => _ownerOrExtras is TokenOwner owner ? owner : ((Extras)_ownerOrExtras).Owner;

    /// <summary>
    /// Ends the slot's current token, if any, and returns a new live token.
    /// </summary>
    /// <returns>
    /// The new token. When the returned task completes, the previous token reports
    /// <see cref="CancellationToken.IsCancellationRequested"/> and its source is disposed.
    /// </returns>
    /// <exception cref="ObjectDisposedException">
    /// The slot was retired or its owner disposed explicitly: thrown at once when that was already
    /// requested, otherwise the returned task faults with it. Nothing changes. After the owner's end of
    /// life (its <see cref="TokenOwnerOptions.OuterToken"/> fired first), a renew does not throw: it returns
    /// an already-cancelled token whose <see cref="TokenOwner.GetEndCause"/> is
    /// <see cref="TokenEndCause.OwnerEnded"/>, and creates no source.
    /// </exception>
    /// <exception cref="AggregateException">
    /// Strict mode only (<see cref="TokenOwnerOptions.ThrowOnCancelException"/>): a callback of the
    /// previous token threw. The new token is installed all the same; end it with
    /// <see cref="CancelAndDisposeAsync"/> or renew again.
    /// </exception>
    public ValueTask<CancellationToken> RenewAsync() => Owner.SendRenew(this, Timeout.InfiniteTimeSpan, default);

    /// <summary>
    /// Ends the slot's current token and returns a new one that the owner cancels once
    /// <paramref name="timeout"/> has passed, measured on the owner's <see cref="TimeProvider"/>.
    /// </summary>
    /// <param name="timeout">
    /// How long the token lives: <see cref="TimeSpan.Zero"/> returns a token born cancelled;
    /// <see cref="Timeout.InfiniteTimeSpan"/> returns a token with no deadline.
    /// </param>
    /// <returns>
    /// The new token. It is never cancelled before <paramref name="timeout"/> has passed, and at most one
    /// deadline-wheel tick (10 ms) after, while its owner's processing path is free to run.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="timeout"/> is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>) or longer
    /// than 4294967294 ms. Thrown at the call site; nothing is queued.
    /// </exception>
    /// <exception cref="ObjectDisposedException">As for <see cref="RenewAsync"/>.</exception>
    /// <exception cref="AggregateException">As for <see cref="RenewAsync"/>.</exception>
    public ValueTask<CancellationToken> RenewAfterAsync(TimeSpan timeout)
    {
        ValidateTimeout(timeout, nameof(timeout));
        return Owner.SendRenew(this, timeout, default);
    }

    /// <summary>
    /// Ends the slot's current token and returns a new one that the owner cancels as soon as any of
    /// <paramref name="links"/> is cancelled. No linked source is created: each link is a registration on
    /// the external token, removed when the new token ends.
    /// </summary>
    /// <param name="links">
    /// The tokens to follow. Tokens that cannot be cancelled are ignored; an already cancelled one makes
    /// the new token born cancelled. An empty array makes this a plain <see cref="RenewAsync"/>, so code
    /// with optional links needs no branch. The array is copied; changing it later has no effect.
    /// </param>
    /// <returns>The new token.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="links"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">As for <see cref="RenewAsync"/>.</exception>
    /// <exception cref="AggregateException">As for <see cref="RenewAsync"/>.</exception>
    public ValueTask<CancellationToken> RenewLinkedAsync(params CancellationToken[] links)
    {
        var copy = CopyLinks(links, nameof(links));
        return Owner.SendRenew(this, Timeout.InfiniteTimeSpan, copy);
    }

    /// <summary>
    /// Ends the slot's current token and returns a new one that the owner cancels when
    /// <paramref name="timeout"/> has passed or any of <paramref name="links"/> is cancelled, whichever
    /// comes first.
    /// </summary>
    /// <param name="timeout">As for <see cref="RenewAfterAsync"/>.</param>
    /// <param name="links">As for <see cref="RenewLinkedAsync"/>; an empty array makes this a plain <see cref="RenewAfterAsync"/>.</param>
    /// <returns>The new token.</returns>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="RenewAfterAsync"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="links"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">As for <see cref="RenewAsync"/>.</exception>
    /// <exception cref="AggregateException">As for <see cref="RenewAsync"/>.</exception>
    public ValueTask<CancellationToken> RenewLinkedAfterAsync(TimeSpan timeout, params CancellationToken[] links)
    {
        ValidateTimeout(timeout, nameof(timeout));
        var copy = CopyLinks(links, nameof(links));
        return Owner.SendRenew(this, timeout, copy);
    }

    /// <summary>
    /// Ends the slot's current token and makes <paramref name="source"/>'s token the live one. Ownership
    /// of <paramref name="source"/> passes to the owner, which cancels and disposes it in due course:
    /// the caller must not cancel or dispose it afterwards.
    /// </summary>
    /// <param name="source">A source nobody else will cancel or dispose.</param>
    /// <returns>The token of <paramref name="source"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="source"/> was already handed to an owner (this one or another).
    /// </exception>
    /// <exception cref="ObjectDisposedException">
    /// <paramref name="source"/> is already disposed (then it is left untouched), or as for
    /// <see cref="RenewAsync"/>: the slot was retired or the owner disposed, in which case
    /// <paramref name="source"/> is disposed, as ownership passed with the call.
    /// </exception>
    /// <exception cref="AggregateException">As for <see cref="RenewAsync"/>.</exception>
    public ValueTask<CancellationToken> RenewOwnedAsync(CancellationTokenSource source)
    {
        if (source is null)
        {
            ThrowHelper.ThrowArgumentNull(nameof(source));
        }

        return Owner.SendRenewOwned(this, source);
    }

    /// <summary>
    /// Ends the slot's current token, if any (its source is cancelled and disposed). The slot stays
    /// usable.
    /// </summary>
    /// <returns>A task that completes once the token is ended.</returns>
    /// <remarks>After the slot is retired or its owner disposed, this is a harmless no-op.</remarks>
    /// <exception cref="AggregateException">Strict mode only: a callback of the ended token threw.</exception>
    public ValueTask CancelAndDisposeAsync() => Owner.CancelCurrent(this);

    /// <summary>
    /// Sets the current token's deadline to now + <paramref name="timeout"/> in place, without renewing
    /// it (idle timeouts touched by heartbeats). The deadline may move later or earlier; a token without
    /// a deadline gets one.
    /// </summary>
    /// <param name="timeout">
    /// The new time to live: <see cref="TimeSpan.Zero"/> ends the token now;
    /// <see cref="Timeout.InfiniteTimeSpan"/> removes its deadline.
    /// </param>
    /// <returns>
    /// <see langword="true"/> when the slot had a live token; <see langword="false"/> when it had none
    /// (never renewed, already ended, slot retired or owner disposed), in which case nothing changes.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="RenewAfterAsync"/>.</exception>
    /// <exception cref="AggregateException">
    /// Strict mode only, with <see cref="TimeSpan.Zero"/>: a callback of the ended token threw.
    /// </exception>
    public ValueTask<bool> TouchAsync(TimeSpan timeout)
    {
        ValidateTimeout(timeout, nameof(timeout));
        return Owner.SendTouch(this, timeout);
    }

    /// <summary>
    /// The synchronous form of <see cref="RenewAsync"/>, for code that cannot await (a Unity <c>Update</c>, a
    /// constructor, a <c>Dispose</c> method): same semantics and guarantees, the reply waited for here.
    /// </summary>
    /// <returns>As for <see cref="RenewAsync"/>: the previous token is cancelled when this returns.</returns>
    /// <remarks>
    /// On an idle owner it completes on the caller's thread; on a busy one the caller blocks until its reply,
    /// and the wait never needs a free thread-pool thread.
    /// </remarks>
    /// <exception cref="InvalidOperationException">
    /// Called from a cancellation callback of this owner's own tokens, where the reply would wait for that
    /// callback; use <see cref="RenewAsync"/> there.
    /// </exception>
    /// <exception cref="ObjectDisposedException">As for <see cref="RenewAsync"/>, thrown here.</exception>
    /// <exception cref="AggregateException">As for <see cref="RenewAsync"/>, thrown here.</exception>
    public CancellationToken Renew() => Owner.RenewBlocking(this, Timeout.InfiniteTimeSpan, default, null, nameof(RenewAsync));

    /// <summary>The synchronous form of <see cref="RenewAfterAsync"/>; see <see cref="Renew"/> for how it waits.</summary>
    /// <param name="timeout">As for <see cref="RenewAfterAsync"/>.</param>
    /// <returns>As for <see cref="RenewAfterAsync"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="RenewAfterAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="Renew"/>.</exception>
    /// <exception cref="ObjectDisposedException">As for <see cref="RenewAsync"/>, thrown here.</exception>
    /// <exception cref="AggregateException">As for <see cref="RenewAsync"/>, thrown here.</exception>
    public CancellationToken RenewAfter(TimeSpan timeout)
    {
        ValidateTimeout(timeout, nameof(timeout));
        return Owner.RenewBlocking(this, timeout, default, null, nameof(RenewAfterAsync));
    }

    /// <summary>The synchronous form of <see cref="RenewLinkedAsync"/>; see <see cref="Renew"/> for how it waits.</summary>
    /// <param name="links">As for <see cref="RenewLinkedAsync"/>.</param>
    /// <returns>As for <see cref="RenewLinkedAsync"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="links"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="Renew"/>.</exception>
    /// <exception cref="ObjectDisposedException">As for <see cref="RenewAsync"/>, thrown here.</exception>
    /// <exception cref="AggregateException">As for <see cref="RenewAsync"/>, thrown here.</exception>
    public CancellationToken RenewLinked(params CancellationToken[] links)
    {
        var copy = CopyLinks(links, nameof(links));
        return Owner.RenewBlocking(this, Timeout.InfiniteTimeSpan, copy, null, nameof(RenewLinkedAsync));
    }

    /// <summary>The synchronous form of <see cref="RenewLinkedAfterAsync"/>; see <see cref="Renew"/> for how it waits.</summary>
    /// <param name="timeout">As for <see cref="RenewAfterAsync"/>.</param>
    /// <param name="links">As for <see cref="RenewLinkedAsync"/>.</param>
    /// <returns>As for <see cref="RenewLinkedAfterAsync"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="RenewAfterAsync"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="links"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="Renew"/>.</exception>
    /// <exception cref="ObjectDisposedException">As for <see cref="RenewAsync"/>, thrown here.</exception>
    /// <exception cref="AggregateException">As for <see cref="RenewAsync"/>, thrown here.</exception>
    public CancellationToken RenewLinkedAfter(TimeSpan timeout, params CancellationToken[] links)
    {
        ValidateTimeout(timeout, nameof(timeout));
        var copy = CopyLinks(links, nameof(links));
        return Owner.RenewBlocking(this, timeout, copy, null, nameof(RenewLinkedAfterAsync));
    }

    /// <summary>The synchronous form of <see cref="RenewOwnedAsync"/>; see <see cref="Renew"/> for how it waits.</summary>
    /// <param name="source">As for <see cref="RenewOwnedAsync"/>.</param>
    /// <returns>As for <see cref="RenewOwnedAsync"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="source"/> was already handed to an owner, or as for <see cref="Renew"/>.
    /// </exception>
    /// <exception cref="ObjectDisposedException">As for <see cref="RenewOwnedAsync"/>, thrown here.</exception>
    /// <exception cref="AggregateException">As for <see cref="RenewAsync"/>, thrown here.</exception>
    public CancellationToken RenewOwned(CancellationTokenSource source)
    {
        if (source is null)
        {
            ThrowHelper.ThrowArgumentNull(nameof(source));
        }

        return Owner.RenewBlocking(this, Timeout.InfiniteTimeSpan, default, source, nameof(RenewOwnedAsync));
    }

    /// <summary>
    /// The synchronous form of <see cref="CancelAndDisposeAsync"/>: ends the current token, if any; the slot
    /// stays usable. See <see cref="Renew"/> for how it waits.
    /// </summary>
    /// <remarks>After the slot is retired or its owner disposed, this is a harmless no-op.</remarks>
    /// <exception cref="InvalidOperationException">As for <see cref="Renew"/>.</exception>
    /// <exception cref="AggregateException">Strict mode only: a callback of the ended token threw.</exception>
    public void CancelAndDispose() => Owner.CancelCurrentBlocking(this);

    /// <summary>The synchronous form of <see cref="TouchAsync"/>; see <see cref="Renew"/> for how it waits.</summary>
    /// <param name="timeout">As for <see cref="TouchAsync"/>.</param>
    /// <returns>As for <see cref="TouchAsync"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="RenewAfterAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="Renew"/>.</exception>
    /// <exception cref="AggregateException">As for <see cref="TouchAsync"/>, thrown here.</exception>
    public bool Touch(TimeSpan timeout)
    {
        ValidateTimeout(timeout, nameof(timeout));
        return Owner.TouchBlocking(this, timeout);
    }

    /// <summary>
    /// Tells whether <paramref name="token"/> is this slot's live token, so that the result of work
    /// started under an older token can be dropped.
    /// </summary>
    /// <param name="token">A token previously returned by this slot.</param>
    /// <returns>
    /// <see langword="true"/> only while <paramref name="token"/> is the slot's live token and is not
    /// cancelled; <see langword="false"/> once it has been cancelled for any reason, and for any token the
    /// slot did not hand out.
    /// </returns>
    /// <remarks>
    /// Reads a snapshot that the processing path publishes; it takes no lock, sends no message and never
    /// throws, also after disposal.
    /// </remarks>
    public bool IsCurrent(CancellationToken token)
    {
        if (!token.CanBeCanceled || token.IsCancellationRequested)
        {
            return false;
        }

        var source = Volatile.Read(ref _source);
        if (source is null)
        {
            return false;
        }

        try
        {
            return source.Token == token;
        }
        catch (ObjectDisposedException)
        {
            // The processing path disposed it after our read: it is no longer current.
            return false;
        }
    }

    /// <summary>
    /// Retires the slot: ends its current token and makes later renews fail with
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <returns>A task that completes once the slot's token is ended.</returns>
    /// <remarks>
    /// Idempotent and safe from any thread. After the first call, and after the owner's disposal, it is a
    /// harmless no-op. The owner's default slot cannot be retired on its own; dispose the owner instead.
    /// </remarks>
    /// <exception cref="AggregateException">Strict mode only, first call only: a callback of the ended token threw.</exception>
    public ValueTask DisposeAsync()
    {
        if (IsDefault)
        {
            return default;
        }

        // After the end of life, retiring changes nothing for renews (they keep getting cancelled
        // tokens), but the call still completes only once the slot's token has ended.
        if (!Owner.IsAfterEndOfLife)
        {
            ScheduleHooks.At(HookPoint.RetirementChecked);
            RequestRetirement();
        }

        return Owner.RetireSlot(this);
    }

    /// <summary>
    /// Retires the slot, like <see cref="DisposeAsync"/>, and waits until the processing path has ended its
    /// token (with a dispatched <see cref="CallbackPlacement"/>, the token's callbacks may still be running
    /// elsewhere, and their exceptions are reported rather than thrown). Called from a cancellation
    /// callback running on the owner's processing path, it queues the retirement and returns at once, and
    /// the callbacks' exceptions are reported. The wait needs no thread-pool thread.
    /// </summary>
    /// <exception cref="AggregateException">Strict mode, <see cref="CallbackPlacement.Inline"/>, first call only, not from the processing path: callbacks of the slot's token threw.</exception>
    public void Dispose()
    {
        if (IsDefault)
        {
            return;
        }

        if (!Owner.IsAfterEndOfLife)
        {
            ScheduleHooks.At(HookPoint.RetirementChecked);
            RequestRetirement();
        }

        Owner.SendAndBlock(this);
    }

    /// <summary>Whether a renew must be refused at the call site.</summary>
    internal bool IsClosedForRenew => _ownerOrExtras is TokenOwner owner ? owner.IsClosed : ((Extras)_ownerOrExtras).IsRetireRequested || ((Extras)_ownerOrExtras).Owner.IsClosed;

    /// <summary>Whether the slot was retired explicitly (its Dispose was called before the owner's end of life).</summary>
    internal bool IsRetireRequested => _ownerOrExtras is Extras { IsRetireRequested: true };

    internal bool IsDefault => ReferenceEquals(Owner.DefaultSlot, this);

    private static void ValidateTimeout(TimeSpan timeout, string paramName)
    {
        if ((timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan) || timeout.TotalMilliseconds > MaxTimeoutMilliseconds)
        {
            ThrowHelper.ThrowTimeoutOutOfRange(paramName, timeout);
        }
    }

    /// <summary>The links as the request carries them (one by value, more as a private copy); none for an empty array, a plain renew.</summary>
    private static RequestedLinks CopyLinks(CancellationToken[] links, string paramName)
    {
        if (links is null)
        {
            ThrowHelper.ThrowArgumentNull(paramName);
        }

        return RequestedLinks.From(links);
    }

    // The largest timeout CancelAfter and System.Threading.Timer accept; kept so that a timeout valid for
    // one is valid for the other.
    private const double MaxTimeoutMilliseconds = uint.MaxValue - 1.0;
}
