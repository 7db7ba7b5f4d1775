using System;
using Akka.Actor;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// The session entity on the extension's route, as in docs/akka.md: a plain <see cref="ReceiveActor"/> whose
/// owner comes from <c>Context.GetTokenOwner()</c> (the Lifetime.Akka extension is installed through HOCON).
/// </summary>
public sealed class SessionEntity : ReceiveActor
{
    private readonly Session _session;

    public SessionEntity(string playerId, Journal journal, TimeSpan idleTimeout)
    {
        _session = new Session(Context.GetTokenOwner(), playerId, journal, idleTimeout, Context);
        ReceiveAsync<Play>(play => _session.PlayAsync(play, Sender));
        Receive<Session.IdleExpired>(_session.OnIdleExpired);
    }

    protected override void PostStop() => _session.OnStopped();
}
