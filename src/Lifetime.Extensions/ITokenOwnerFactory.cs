using System;

namespace Lifetime.Extensions;

/// <summary>
/// Creates named <see cref="TokenOwner"/>s wired to the host: its <see cref="TimeProvider"/>, its logging
/// and, by default, its <c>ApplicationStopping</c> token. Registered as a singleton by
/// <see cref="TokenOwnerServiceCollectionExtensions.AddTokenOwners"/>.
/// </summary>
/// <remarks>
/// When the host stops, every owner this factory created and that has not completed yet is disposed and
/// awaited within the host's shutdown timeout; the ones that could not end are logged by name (event
/// <see cref="TokenOwnerLogEvents.OwnerNotEnded"/>). The caller may still dispose an owner itself earlier:
/// disposal is idempotent.
/// </remarks>
public interface ITokenOwnerFactory
{
    /// <summary>Creates an owner named <paramref name="name"/>.</summary>
    /// <param name="name">The name the logs give the owner: its callback exceptions and a failure to end on shutdown are logged with it. Need not be unique.</param>
    /// <param name="configure">
    /// Optional last word on the owner's <see cref="TokenOwnerOptions"/>, after the factory has set the time
    /// provider, the exception reporter, the outer token and the <see cref="TokenOwnerFactoryOptions"/>. A
    /// reporter set here replaces the logging one.
    /// </param>
    /// <returns>A new owner. Created once the host is stopping and bound to <c>ApplicationStopping</c>, its life has already ended: its renews return cancelled tokens.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ObjectDisposedException">The factory was disposed (its service provider was disposed).</exception>
    TokenOwner Create(string name, Action<TokenOwnerOptions>? configure = null);
}
