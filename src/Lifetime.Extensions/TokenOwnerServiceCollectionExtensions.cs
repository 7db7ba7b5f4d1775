using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Lifetime.Extensions;

/// <summary>Registers Lifetime's owner factory and its shutdown in a service collection.</summary>
public static class TokenOwnerServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="ITokenOwnerFactory"/>, its <see cref="TokenOwnerFactoryOptions"/>, and a
    /// hosted service that, when the host stops, disposes the owners the factory created and awaits them
    /// within the host's shutdown timeout (<c>HostOptions.ShutdownTimeout</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional settings for the owners; may be called more than once.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>
    /// Idempotent: calling it again only adds <paramref name="configure"/>. The owners use the container's
    /// <see cref="TimeProvider"/> if one is registered, else <see cref="TimeProvider.System"/>. Hosted
    /// services stop in the reverse order of their registration: call this before adding the services
    /// that use the owners, so that those stop first.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddTokenOwners(this IServiceCollection services, Action<TokenOwnerFactoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TokenOwnerFactoryOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<TokenOwnerFactory>();
        services.TryAddSingleton<ITokenOwnerFactory>(static provider => provider.GetRequiredService<TokenOwnerFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TokenOwnerShutdownService>());
        return services;
    }
}
