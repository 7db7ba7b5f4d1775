using System;
using Akka.Hosting;

namespace Lifetime.Akka;

/// <summary>Installs Lifetime.Akka in an actor system configured with Akka.Hosting.</summary>
public static class AkkaConfigurationBuilderTokenOwnerExtensions
{
    /// <summary>
    /// Installs <see cref="ActorTokenOwners"/> in the actor system this builder configures, at start-up and
    /// before any actor is created, so every actor can call
    /// <see cref="ActorContextTokenOwnerExtensions.GetTokenOwner"/>. The one call replaces
    /// <see cref="ActorTokenOwners.Install"/> and setting <see cref="ActorTokenOwners.OptionsFactory"/>.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder (the argument of <c>services.AddAkka(...)</c>'s callback).</param>
    /// <param name="configure">
    /// Adjusts the options every incarnation's owner is created with; <see langword="null"/> keeps the
    /// defaults. It runs once, when the actor system starts, on options that already hold the
    /// <see cref="TimeProvider"/> registered in the host's services (when one is registered; otherwise
    /// <see langword="null"/>, which means <see cref="TimeProvider.System"/>) and an
    /// <see cref="TokenOwnerOptions.OnCancelException"/> that logs to the actor system's log (which
    /// Akka.Hosting can route to <c>ILogger</c>). The instance is shared by every owner, copied for each, and
    /// never changed by the adapter; its <see cref="TokenOwnerOptions.OuterToken"/>, if set, is linked with
    /// each incarnation's life (either ends the owner).
    /// </param>
    /// <returns>The same <paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Calling it more than once installs the extension once; the last call's <paramref name="configure"/>
    /// wins. Setting <see cref="ActorTokenOwners.OptionsFactory"/> later (from a startup task) replaces these
    /// options for owners created afterwards. When the host stops, Akka.Hosting terminates the actor system:
    /// every actor stops, and each incarnation's owner ends as usual (every token cancelled, every source
    /// disposed).
    /// </remarks>
    public static AkkaConfigurationBuilder WithTokenOwners(this AkkaConfigurationBuilder builder, Action<TokenOwnerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSetup(new TokenOwnersSetup(configure));
        return builder.WithExtensions(typeof(ActorTokenOwnersProvider));
    }
}
