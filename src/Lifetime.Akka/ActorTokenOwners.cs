using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using Akka.Actor;

namespace Lifetime.Akka;

/// <summary>
/// The Akka.NET extension that binds one <see cref="TokenOwner"/> to each actor incarnation that asks for
/// one with <see cref="ActorContextTokenOwnerExtensions.GetTokenOwner"/>. Install it once per
/// <see cref="ActorSystem"/>, before the first actor that uses it is created.
/// </summary>
/// <remarks>
/// <para>
/// The extension registers an actor producer plugin (<see cref="IActorProducerPlugin"/>) with the
/// system's <see cref="ExtendedActorSystem.ActorPipelineResolver"/>. Akka's <c>ActorCell</c> runs that
/// pipeline for every actor, whatever its base class: <c>BeforeIncarnated</c> right after
/// <see cref="ActorBase.AroundPreRestart"/> (restart, before the next incarnation is constructed) and right
/// after <see cref="ActorBase.AroundPostStop"/> (stop). The plugin ends the incarnation's owner there, so
/// every token it issued is cancelled before the next constructor runs and no owner outlives its actor, even
/// when the actor overrides <c>PreRestart</c> or <c>PostStop</c> without calling base. That end is an end of
/// life (the owner's <see cref="TokenOwnerOptions.OuterToken"/> fires), not an explicit disposal: a renew
/// that races it, from a <c>PipeTo</c> continuation or any code still holding the owner, completes with an
/// already-cancelled token instead of throwing <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// Akka resolves an actor type's plugin pipeline once and caches it, and its plugin list is not safe to
/// change while actors are being created. That is why the extension must be installed at startup: either
/// with <see cref="Install"/> right after <see cref="ActorSystem.Create(string)"/>, or in HOCON with
/// <c>akka.extensions = ["Lifetime.Akka.ActorTokenOwnersProvider, Lifetime.Akka"]</c>.
/// </para>
/// <para>
/// Per-actor state is touched only by the actor's own thread (its message processing and its lifecycle
/// system messages), so it needs no lock; the table that holds it is keyed weakly by the actor's cell.
/// </para>
/// </remarks>
public sealed class ActorTokenOwners : IExtension
{
    private readonly ConditionalWeakTable<IActorContext, Incarnation> _incarnations = new();
    private Func<TokenOwnerOptions?>? _optionsFactory;

    internal ActorTokenOwners(ExtendedActorSystem system)
    {
        system.ActorPipelineResolver.Register(new IncarnationPlugin(this));

        // Installed by Akka.Hosting's WithTokenOwners: the options are known before any actor exists.
        var setup = system.Settings.Setup.Get<TokenOwnersSetup>();
        if (setup.HasValue)
        {
            _optionsFactory = setup.Value.CreateOptionsFactory(system);
        }
    }

    /// <summary>
    /// Gets or sets the factory of the options of each owner the extension creates (for example to choose a
    /// <see cref="CallbackPlacement"/>, a <see cref="TimeProvider"/> or an exception reporter).
    /// </summary>
    /// <value>
    /// <see langword="null"/> (the default) creates owners with default options. Read each time an owner is
    /// created, on the thread of the actor that asks for it; owners already created keep their options. The
    /// returned instance is copied, never changed, so one instance may serve every actor; its
    /// <see cref="TokenOwnerOptions.OuterToken"/>, if any, is linked with the incarnation's life (either
    /// ends the owner).
    /// </value>
    public Func<TokenOwnerOptions?>? OptionsFactory
    {
        get => Volatile.Read(ref _optionsFactory);
        set => Volatile.Write(ref _optionsFactory, value);
    }

    /// <summary>
    /// Installs the extension in <paramref name="system"/> (idempotent) and returns it. Call it before any
    /// actor that uses <see cref="ActorContextTokenOwnerExtensions.GetTokenOwner"/> is created.
    /// </summary>
    /// <param name="system">The actor system.</param>
    /// <returns>The system's extension.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="system"/> is <see langword="null"/>.</exception>
    public static ActorTokenOwners Install(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WithExtension<ActorTokenOwners, ActorTokenOwnersProvider>();
    }

    /// <summary>Gets the extension of <paramref name="system"/>.</summary>
    /// <param name="system">The actor system.</param>
    /// <returns>The system's extension.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="system"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The extension was not installed in <paramref name="system"/>.</exception>
    public static ActorTokenOwners Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (!system.TryGetExtension<ActorTokenOwners>(out var extension))
        {
            throw new InvalidOperationException(
                "Lifetime.Akka is not installed in actor system '" + system.Name + "'. Call ActorTokenOwners.Install(system) right after creating it, " +
                "or add \"Lifetime.Akka.ActorTokenOwnersProvider, Lifetime.Akka\" to akka.extensions, before creating actors that use GetTokenOwner().");
        }

        return extension;
    }

    /// <summary>The owner of the incarnation of the actor behind <paramref name="context"/>. Actor thread only.</summary>
    internal TokenOwner GetOwner(IActorContext context)
    {
        var incarnation = _incarnations.GetValue(context, static _ => new Incarnation());
        var existed = incarnation.Owner.HasOwner;
        var owner = incarnation.Owner.GetOrCreate(this, static owners => owners.OptionsFactory?.Invoke());
        if (!existed)
        {
            // Created while an incarnation is live: it belongs to that one. Created in a constructor (no live
            // incarnation yet): the plugin binds it when the instance is incarnated.
            incarnation.OwnerActor = incarnation.Current;
        }

        return owner;
    }

    /// <summary>Whether the incarnation behind <paramref name="context"/> holds an owner (test hook).</summary>
    internal bool HasOwner(IActorContext context) => _incarnations.TryGetValue(context, out var incarnation) && incarnation.Owner.HasOwner;

    /// <summary>Called by the plugin after <paramref name="actor"/> was constructed. Actor thread only.</summary>
    internal void OnIncarnated(ActorBase actor, IActorContext context)
    {
        if (!_incarnations.TryGetValue(context, out var incarnation))
        {
            return;
        }

        if (incarnation.Owner.HasOwner && incarnation.OwnerActor is not null && !ReferenceEquals(incarnation.OwnerActor, actor))
        {
            // The previous incarnation's end was never reported: Akka skips the plugin pipeline when
            // PreRestart throws. Its tokens must not live on into this incarnation.
            EndOwner(incarnation);
        }

        incarnation.OwnerActor ??= incarnation.Owner.HasOwner ? actor : null;
        incarnation.Current = actor;
    }

    /// <summary>
    /// Called by the plugin when <paramref name="actor"/>'s incarnation ends (restart or stop): disposes its
    /// owner, so every token it issued is cancelled when this returns. Actor thread only.
    /// </summary>
    internal void OnIncarnationEnded(ActorBase actor, IActorContext context)
    {
        if (!_incarnations.TryGetValue(context, out var incarnation))
        {
            return;
        }

        Debug.Assert(incarnation.Current is null || ReferenceEquals(incarnation.Current, actor), "Only the live incarnation ends.");

        // The entry itself stays: after a stop it holds nothing and dies with the cell (the table is weak);
        // after a restart the next incarnation reuses it.
        incarnation.Current = null;
        if (incarnation.Owner.HasOwner && (incarnation.OwnerActor is null || ReferenceEquals(incarnation.OwnerActor, actor)))
        {
            EndOwner(incarnation);
        }
    }

    private static void EndOwner(Incarnation incarnation)
    {
        // Reset before ending, so the next incarnation starts with a fresh owner whatever happens below.
        var owner = incarnation.Owner;
        incarnation.Owner = default;
        incarnation.OwnerActor = null;

        // Synchronous on purpose: the next incarnation must not be constructed before every token is
        // cancelled. An end of life, not a disposal: a renew racing it gets a cancelled token.
        owner.End();
    }

    /// <summary>The owner state of one actor cell. Read and written only on that actor's thread.</summary>
    private sealed class Incarnation
    {
        // A mutable struct, used through this field only.
        public IncarnationOwner Owner;
        public ActorBase? OwnerActor;
        public ActorBase? Current;
    }
}
