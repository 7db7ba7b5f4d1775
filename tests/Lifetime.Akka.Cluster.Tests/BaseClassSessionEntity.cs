using System;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>The session entity on the base-class route: <see cref="TokenOwnerReceiveActor"/>'s own <c>Owner</c>.</summary>
public sealed class BaseClassSessionEntity : TokenOwnerReceiveActor
{
    private readonly Session _session;

    public BaseClassSessionEntity(string playerId, Journal journal, TimeSpan idleTimeout)
    {
        _session = new Session(Owner, playerId, journal, idleTimeout, Context);
        ReceiveAsync<Play>(play => _session.PlayAsync(play, Sender));
        Receive<Session.IdleExpired>(_session.OnIdleExpired);
    }

    protected override void PostStop() => _session.OnStopped();

    // The spec counts each node's sources through the options the node's extension hands out.
    protected override TokenOwnerOptions? CreateOwnerOptions() => ActorTokenOwners.Get(Context.System).OptionsFactory?.Invoke();
}
