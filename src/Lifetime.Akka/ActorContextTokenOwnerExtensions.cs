using System;
using Akka.Actor;

namespace Lifetime.Akka;

/// <summary>
/// Gives any actor, whatever its base class (<see cref="ReceiveActor"/>, <see cref="UntypedActor"/>, a
/// persistent actor, or any other <see cref="ActorBase"/>), a <see cref="TokenOwner"/> bound to its current
/// incarnation.
/// </summary>
public static class ActorContextTokenOwnerExtensions
{
    /// <summary>
    /// Gets the <see cref="TokenOwner"/> of the calling actor's current incarnation, creating it on first use
    /// (also from the actor's constructor).
    /// </summary>
    /// <param name="context">The actor's <c>Context</c>; call this only on the actor's own thread.</param>
    /// <returns>
    /// The same owner for every call during one incarnation. When the actor is restarted, the owner's life
    /// ends (every token it issued is cancelled, every source disposed) after <c>PreRestart</c> and before
    /// the next incarnation's constructor runs; the next incarnation gets a fresh owner. When the actor
    /// stops, the owner's life ends after <c>PostStop</c>. That end is an end of life, not a disposal: a
    /// renew on the ended owner (from a <c>PipeTo</c> continuation or other late code that still holds it)
    /// completes with an already-cancelled token instead of throwing, and cleanup calls are no-ops; only an
    /// explicit <see cref="TokenOwner.Dispose"/> by your code makes renews throw
    /// <see cref="ObjectDisposedException"/>. A supervisor's Resume directive keeps the incarnation, so its
    /// owner and tokens stay live. No lifecycle code is needed in the actor, and overriding
    /// <c>PreRestart</c> or <c>PostStop</c> without calling base changes nothing.
    /// </returns>
    /// <remarks>
    /// Akka skips its plugin pipeline when <c>PreRestart</c> itself throws. The adapter then ends the
    /// previous incarnation's owner when the next instance has been constructed (before
    /// <c>PostRestart</c>); a constructor that called this method in that case got the previous owner, now
    /// ended, so prefer calling it from handlers if your <c>PreRestart</c> can throw. A <c>PostStop</c>
    /// that throws likewise skips the pipeline, leaving the owner undisposed.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// <see cref="ActorTokenOwners"/> is not installed in the actor's system.
    /// </exception>
    public static TokenOwner GetTokenOwner(this IActorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ActorTokenOwners.Get(context.System).GetOwner(context);
    }
}
