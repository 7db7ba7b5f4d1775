using System;
using Akka.Actor;

namespace Lifetime.Akka;

/// <summary>
/// An <see cref="UntypedActor"/> with a <see cref="TokenOwner"/> of its own incarnation in <see cref="Owner"/>. The owner is
/// ended (every token cancelled, every source disposed) in <see cref="AroundPreRestart"/> and
/// <see cref="AroundPostStop"/>, <em>before</em> your <c>PreRestart</c> / <c>PostStop</c> run, so it holds
/// whether or not your overrides call base and even when they throw.
/// </summary>
/// <remarks>
/// A convenience on top of <see cref="ActorContextTokenOwnerExtensions.GetTokenOwner"/> that needs no
/// installed extension. Its owner is this instance's own, separate from the one
/// <c>Context.GetTokenOwner()</c> returns: use one or the other in an actor. If you override
/// <see cref="AroundPreRestart"/> or <see cref="AroundPostStop"/>, call base.
/// </remarks>
public abstract class TokenOwnerUntypedActor : UntypedActor
{
    // Not readonly: a mutable struct, called through this field only.
    private IncarnationOwner _incarnation;

    /// <summary>
    /// Gets the owner of this incarnation, created on first use (also from the constructor). Every call
    /// during one incarnation returns the same owner; a restarted actor is a new instance with a new owner.
    /// </summary>
    /// <value>
    /// Live until the incarnation ends. The end is an end of life, not a disposal: afterwards (in your
    /// <c>PreRestart</c> or <c>PostStop</c>, or in a <c>PipeTo</c> continuation that still holds the owner)
    /// its renews complete with an already-cancelled token, so late code takes its ordinary cancellation path,
    /// and its cleanup calls are no-ops. Read for the first time after the end, it is an owner born ended.
    /// Only an explicit <see cref="TokenOwner.Dispose"/> by your own code makes later renews throw
    /// <see cref="ObjectDisposedException"/>.
    /// </value>
    protected TokenOwner Owner => _incarnation.GetOrCreate(this, static actor => actor.CreateOwnerOptions());

    /// <summary>
    /// Ends this incarnation's owner (an end of life), then runs Akka's restart hook (which calls
    /// <c>PreRestart</c>). When this returns the owner's tokens are cancelled and its sources disposed, before
    /// the next incarnation is constructed. Calling it again is a no-op for the owner.
    /// </summary>
    /// <param name="cause">The failure that caused the restart.</param>
    /// <param name="message">The message being processed when it failed, if any.</param>
    /// <remarks>
    /// A token callback that throws while the owner ends does not throw here, even with
    /// <see cref="TokenOwnerOptions.ThrowOnCancelException"/>: an end of life has no awaiting caller, so the
    /// exception goes to <see cref="TokenOwnerOptions.OnCancelException"/>.
    /// </remarks>
    public override void AroundPreRestart(Exception cause, object message)
    {
        try
        {
            _incarnation.End();
        }
        finally
        {
            base.AroundPreRestart(cause, message);
        }
    }

    /// <summary>
    /// Ends this incarnation's owner (an end of life), then runs Akka's stop hook (which calls
    /// <c>PostStop</c>). Callback exceptions are reported as for <see cref="AroundPreRestart"/>.
    /// </summary>
    public override void AroundPostStop()
    {
        try
        {
            _incarnation.End();
        }
        finally
        {
            base.AroundPostStop();
        }
    }

    /// <summary>Creates the options of this incarnation's owner; called once, when <see cref="Owner"/> is first read.</summary>
    /// <returns>
    /// <see langword="null"/> (the default) for default options. The instance is copied, never changed; its
    /// <see cref="TokenOwnerOptions.OuterToken"/>, if any, is linked with the incarnation's life (either one
    /// ends the owner).
    /// </returns>
    protected virtual TokenOwnerOptions? CreateOwnerOptions() => null;
}
