using System;
using Akka.Actor;

namespace Lifetime.Akka;

/// <summary>
/// A <see cref="ReceiveActor"/> with a <see cref="TokenOwner"/> of its own incarnation in <see cref="Owner"/>. The owner is
/// disposed (every token cancelled, every source disposed) in <see cref="AroundPreRestart"/> and
/// <see cref="AroundPostStop"/>, <em>before</em> your <c>PreRestart</c> / <c>PostStop</c> run, so it holds
/// whether or not your overrides call base and even when they throw.
/// </summary>
/// <remarks>
/// A convenience on top of <see cref="ActorContextTokenOwnerExtensions.GetTokenOwner"/> that needs no
/// installed extension. Its owner is this instance's own, separate from the one
/// <c>Context.GetTokenOwner()</c> returns: use one or the other in an actor. If you override
/// <see cref="AroundPreRestart"/> or <see cref="AroundPostStop"/>, call base.
/// </remarks>
public abstract class TokenOwnerReceiveActor : ReceiveActor
{
    // Not readonly: a mutable struct, called through this field only.
    private IncarnationOwner _incarnation;

    /// <summary>
    /// Gets the owner of this incarnation, created on first use (also from the constructor). Every call
    /// during one incarnation returns the same owner; a restarted actor is a new instance with a new owner.
    /// </summary>
    /// <value>
    /// Live until the incarnation ends; afterwards (for example in your <c>PreRestart</c> or <c>PostStop</c>)
    /// it is the disposed owner, whose renews throw <see cref="ObjectDisposedException"/> and whose cleanup
    /// calls are no-ops.
    /// </value>
    protected TokenOwner Owner => _incarnation.GetOrCreate(this, static actor => actor.CreateOwnerOptions());

    /// <summary>
    /// Disposes this incarnation's owner, then runs Akka's restart hook (which calls <c>PreRestart</c>).
    /// When this returns the owner's tokens are cancelled, before the next incarnation is constructed.
    /// </summary>
    /// <param name="cause">The failure that caused the restart.</param>
    /// <param name="message">The message being processed when it failed, if any.</param>
    /// <exception cref="AggregateException">
    /// Only with <see cref="TokenOwnerOptions.ThrowOnCancelException"/>: a token callback threw. The owner is
    /// disposed anyway; Akka logs the exception as a failed <c>PreRestart</c>.
    /// </exception>
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

    /// <summary>Disposes this incarnation's owner, then runs Akka's stop hook (which calls <c>PostStop</c>).</summary>
    /// <exception cref="AggregateException">As for <see cref="AroundPreRestart"/>.</exception>
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
    /// <returns><see langword="null"/> (the default) for default options.</returns>
    protected virtual TokenOwnerOptions? CreateOwnerOptions() => null;
}
