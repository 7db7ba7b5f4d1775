using System;
using GameServer.Cluster.Node;

namespace GameServer.Cluster.Checks;

/// <summary>
/// Why a message type can reach dead letters in this sample. A type with no explanation fails the
/// dead-letter invariant: it means a message the design says cannot be lost was lost.
/// </summary>
internal static class DeadLetterExplainer
{
    /// <summary>Explains dead letters of <paramref name="messageType"/> (a full type name), or returns null.</summary>
    public static string? Explain(string messageType)
    {
        ArgumentNullException.ThrowIfNull(messageType);
        return messageType switch
        {
            "GameServer.Cluster.Entities.Touch" or "GameServer.Cluster.Entities.Login" or "GameServer.Cluster.Entities.PlayerRequest"
                => "client messages the region could not deliver: routed to a killed node before the resolver downed it, or to a shard that was stopping; requests and logins among them were failed within their bound",
            "GameServer.Cluster.Entities.RequestReply" or "GameServer.Cluster.Entities.LoginReply"
                => "entity answers that came after the asking node had given up (its bound passed, the request was already answered Unanswered) or had left",
            "GameServer.Cluster.Entities.HandOffStop" or "GameServer.Cluster.Entities.PlayerEntity+PassivateStop"
                => "stops for an entity that had already stopped (a passivation and a hand-off crossing)",
            "GameServer.Cluster.Entities.PlayerEntity+WorkDone" + DeadLetterCounter.WorkDoneTokenEnded
                => "results that passed PipeToIfCurrent's check just before their entity stopped (docs/akka.md, what still reaches dead letters); the stop had ended their token, so nothing was lost",
            "GameServer.Cluster.Entities.PlayerEntity+IdleExpired" or "GameServer.Cluster.Entities.PlayerEntity+RequestTimedOut"
                => "deadlines that fired just as their entity stopped; the entity no longer needed them",
            _ when messageType.StartsWith("Akka.", StringComparison.Ordinal)
                => "cluster, remoting and sharding internals sent to nodes that were joining, leaving, downed or shutting down",
            _ => null,
        };
    }
}
