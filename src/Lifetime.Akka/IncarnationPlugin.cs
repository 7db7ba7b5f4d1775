using Akka.Actor;

namespace Lifetime.Akka;

/// <summary>
/// The actor producer plugin through which <see cref="ActorTokenOwners"/> learns of incarnations. Akka's
/// <c>ActorCell</c> calls <see cref="AfterIncarnated"/> after constructing each instance, and
/// <see cref="BeforeIncarnated"/> after <c>AroundPreRestart</c> (restart) or <c>AroundPostStop</c> (stop),
/// on the actor's own thread, for every <see cref="ActorBase"/> whatever its base class.
/// </summary>
internal sealed class IncarnationPlugin : ActorProducerPluginBase
{
    private readonly ActorTokenOwners _owners;

    public IncarnationPlugin(ActorTokenOwners owners) => _owners = owners;

    public override void AfterIncarnated(ActorBase actor, IActorContext context) => _owners.OnIncarnated(actor, context);

    public override void BeforeIncarnated(ActorBase actor, IActorContext context) => _owners.OnIncarnationEnded(actor, context);
}
