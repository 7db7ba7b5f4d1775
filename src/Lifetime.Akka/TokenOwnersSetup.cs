using System;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.DependencyInjection;
using Akka.Event;

namespace Lifetime.Akka;

/// <summary>
/// The actor-system setup that <see cref="AkkaConfigurationBuilderTokenOwnerExtensions.WithTokenOwners"/> adds:
/// <see cref="ActorTokenOwners"/> reads it when the system creates the extension (at start-up, before any
/// actor), so its options factory is in place before the first owner is created.
/// </summary>
internal sealed class TokenOwnersSetup : Setup
{
    private readonly Action<TokenOwnerOptions>? _configure;

    public TokenOwnersSetup(Action<TokenOwnerOptions>? configure) => _configure = configure;

    /// <summary>
    /// Builds the options once, for the whole system: the <see cref="TimeProvider"/> registered in the host's
    /// services if any, callback exceptions reported to the system's log, then the user's configuration.
    /// One shared instance is safe: the adapter copies it for each owner and never changes it.
    /// </summary>
    public Func<TokenOwnerOptions?> CreateOptionsFactory(ExtendedActorSystem system)
    {
        var log = system.Log;
        var options = new TokenOwnerOptions
        {
            TimeProvider = ResolveTimeProvider(system),
            OnCancelException = e => log.Error(e, "A cancellation callback of a Lifetime token threw."),
        };
        _configure?.Invoke(options);
        return () => options;
    }

    private static TimeProvider? ResolveTimeProvider(ActorSystem system)
    {
        var di = system.Settings.Setup.Get<DependencyResolverSetup>();
        return di.HasValue ? di.Value.DependencyResolver.GetService<TimeProvider>() : null;
    }
}
