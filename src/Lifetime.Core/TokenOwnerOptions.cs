using System;
using System.Threading;

namespace Lifetime;

/// <summary>
/// Settings of a <see cref="TokenOwner"/>, read once when the owner is created; changing an instance
/// later does not affect owners already created from it.
/// </summary>
public sealed class TokenOwnerOptions
{
    /// <summary>
    /// Gets or sets whether an exception thrown by <see cref="CancellationTokenSource.Cancel()"/> (an
    /// <see cref="AggregateException"/> from callbacks, or an <see cref="ObjectDisposedException"/> from a
    /// source its previous holder disposed behind the owner's back) propagates to the awaiting caller of
    /// the operation that cancelled (strict mode).
    /// </summary>
    /// <value>
    /// <see langword="false"/> (the default): every such exception is reported once to
    /// <see cref="OnCancelException"/> and swallowed. <see langword="true"/>: the operation that ended the
    /// token faults with it, after the owner's state change is complete (a renew has installed its new
    /// token, every source was still disposed); when one operation ends several tokens their exceptions
    /// are wrapped in one <see cref="AggregateException"/>. Ends that have no awaiting caller (a timeout,
    /// a link, the outer token) report to <see cref="OnCancelException"/> in both modes.
    /// </value>
    public bool ThrowOnCancelException { get; set; }

    /// <summary>
    /// Gets or sets the reporter that receives, once each, the exceptions thrown by
    /// <see cref="CancellationTokenSource.Cancel()"/> that are not propagated to a caller.
    /// </summary>
    /// <value>
    /// <see langword="null"/> (the default) swallows them silently. An exception thrown by the reporter
    /// itself is swallowed; the owner keeps working. The reporter runs wherever the source was cancelled
    /// (see <see cref="CallbackPlacement"/>) and must not block.
    /// </value>
    public Action<Exception>? OnCancelException { get; set; }

    /// <summary>Gets or sets the clock that timeouts and <see cref="TokenOwner.TouchAsync"/> deadlines use.</summary>
    /// <value>
    /// <see langword="null"/> (the default) means <see cref="TimeProvider.System"/>. All owners of one
    /// provider share one deadline wheel, which ticks every 10 ms of that provider's time while any
    /// deadline is armed and stops when none is.
    /// </value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Gets or sets where cancellation callbacks of owned tokens run.</summary>
    /// <value>The default is <see cref="Lifetime.CallbackPlacement.Inline"/>.</value>
    public CallbackPlacement CallbackPlacement { get; set; }

    /// <summary>
    /// Gets or sets the context that callbacks are posted to when <see cref="CallbackPlacement"/> is
    /// <see cref="Lifetime.CallbackPlacement.SynchronizationContext"/>.
    /// </summary>
    /// <value>
    /// <see langword="null"/> (the default) captures <see cref="SynchronizationContext.Current"/> when the
    /// owner is created; the <see cref="TokenOwner"/> constructor throws
    /// <see cref="InvalidOperationException"/> if there is none. Ignored by the other placements.
    /// </value>
    public SynchronizationContext? CallbackContext { get; set; }

    /// <summary>
    /// Gets or sets an outer token the owner is bound to (for example Unity's <c>destroyCancellationToken</c>
    /// or a host's <c>ApplicationStopping</c>): when it is cancelled, the owner's life ends. It disposes
    /// itself as <see cref="TokenOwner.DisposeAsync"/> does, ending every token with
    /// <see cref="TokenEndCause.OwnerEnded"/>, but renews that race that end, or come after it, return an
    /// already-cancelled token instead of throwing <see cref="ObjectDisposedException"/>, so that shutdown
    /// races take the caller's ordinary cancellation path. If the owner was disposed explicitly first, it
    /// stays disposed: the first of the two decides.
    /// </summary>
    /// <value>
    /// <see langword="default"/> (the default) binds to nothing. An outer token that is already cancelled
    /// ends the owner's life as soon as it is created. The owner's registration on the outer token keeps the
    /// owner reachable, so that the outer token ends its tokens even when nothing else references the
    /// owner (as a linked source would); it is removed when the owner is disposed.
    /// </value>
    public CancellationToken OuterToken { get; set; }

    /// <summary>
    /// Gets or sets the factory of the sources the owner creates for <see cref="TokenOwner.RenewAsync"/>
    /// and its timed and linked variants, for instrumentation (for example a subclass of
    /// <see cref="CancellationTokenSource"/> that counts its disposals).
    /// </summary>
    /// <value>
    /// <see langword="null"/> (the default) creates plain sources. The factory must return a new source
    /// that nobody else holds and that is neither cancelled nor timed; the owner then cancels and disposes
    /// it like any source it owns. A renew whose factory throws, or returns <see langword="null"/> or a
    /// source already handed to an owner (by this factory before, or to <c>RenewOwned</c>), fails with that
    /// exception (or <see cref="InvalidOperationException"/>) and changes nothing.
    /// </value>
    public Func<CancellationTokenSource>? SourceFactory { get; set; }
}
