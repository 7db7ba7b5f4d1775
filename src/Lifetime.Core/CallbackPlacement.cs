namespace Lifetime;

/// <summary>
/// Where the registered callbacks of an owned token run when the owner cancels it.
/// </summary>
/// <remarks>
/// <para>
/// Whatever the placement, only the owner cancels and disposes its sources, a callback may call any
/// member of its owner or slot (the call becomes a message behind the current one), and an exception a
/// callback throws obeys the owner's exception policy.
/// </para>
/// </remarks>
public enum CallbackPlacement
{
    /// <summary>
    /// Callbacks run on the owner's processing path, before the operation that cancelled the token
    /// replies (the default, and the behaviour of a plain <see cref="System.Threading.CancellationTokenSource"/>).
    /// When an operation completes, every callback of the tokens it ended has returned. A slow callback
    /// delays the owner's next message; a callback of a timed-out token runs on the deadline wheel's
    /// timer thread and delays other timeouts of the same <see cref="System.TimeProvider"/> while it runs.
    /// </summary>
    Inline = 0,

    /// <summary>
    /// The owner hands each ended source to the thread pool, which cancels it (running its callbacks)
    /// and disposes it; the owner goes on with its next message at once. The awaiting caller of the
    /// operation is answered after its ended tokens' callbacks have returned, so the previous token still
    /// reports <see cref="System.Threading.CancellationToken.IsCancellationRequested"/> when a renew
    /// completes. <see cref="TokenOwner.Completion"/> waits for every dispatched source to be disposed.
    /// </summary>
    ThreadPool = 1,

    /// <summary>
    /// Like <see cref="ThreadPool"/>, but ended sources are posted to a
    /// <see cref="System.Threading.SynchronizationContext"/> (for example Unity's main thread): the one in
    /// <see cref="TokenOwnerOptions.CallbackContext"/>, or else the one current when the owner was
    /// created. Never block that context's thread on an owner operation (for example with
    /// <c>GetAwaiter().GetResult()</c>): the reply waits for the context to run the callbacks.
    /// </summary>
    SynchronizationContext = 2,
}
