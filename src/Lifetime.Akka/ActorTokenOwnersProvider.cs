using Akka.Actor;

namespace Lifetime.Akka;

/// <summary>
/// The extension id of <see cref="ActorTokenOwners"/>, so it can be listed in HOCON:
/// <c>akka.extensions = ["Lifetime.Akka.ActorTokenOwnersProvider, Lifetime.Akka"]</c>.
/// </summary>
public sealed class ActorTokenOwnersProvider : ExtensionIdProvider<ActorTokenOwners>
{
    /// <summary>Creates the extension for <paramref name="system"/>; Akka calls this once per system.</summary>
    /// <param name="system">The actor system.</param>
    /// <returns>A new extension, already registered with the system's actor producer pipeline.</returns>
    public override ActorTokenOwners CreateExtension(ExtendedActorSystem system) => new(system);
}
