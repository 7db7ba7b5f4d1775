using System;

namespace Lifetime.Akka;

/// <summary>
/// The owner of one actor instance's incarnation, shared by <see cref="TokenOwnerReceiveActor"/> and
/// <see cref="TokenOwnerUntypedActor"/> so the lifecycle logic exists once. Used only on the actor's own
/// thread (its constructor, handlers and lifecycle hooks), so it needs no synchronisation.
/// </summary>
/// <remarks>
/// A mutable struct held in a non-readonly field of the actor: it costs the actor no extra allocation, and
/// the actor only ever calls it through that field (never copies it).
/// </remarks>
internal struct IncarnationOwner
{
    private TokenOwner? _owner;

    /// <summary>The owner, created with <paramref name="createOptions"/> on first use.</summary>
    public TokenOwner GetOrCreate<TState>(TState state, Func<TState, TokenOwnerOptions?> createOptions) =>
        _owner ??= new TokenOwner(createOptions(state));

    /// <summary>
    /// Ends the incarnation's owner if it was created: when this returns every token it issued is cancelled and
    /// every source disposed. Idempotent (Akka's default <c>PreRestart</c> calls <c>PostStop</c>).
    /// </summary>
    public readonly void End() => _owner?.Dispose();
}
