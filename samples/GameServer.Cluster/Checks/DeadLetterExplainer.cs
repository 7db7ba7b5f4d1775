using System;

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
            "GameServer.Cluster.Entities.RequestReply" or "GameServer.Cluster.Entities.LoginReply"
                => "an entity answered after the asking node's bound had passed, or after the asking node left: the ask was already answered Unanswered",
            "GameServer.Cluster.Entities.Touch" or "GameServer.Cluster.Entities.Login" or "GameServer.Cluster.Entities.PlayerRequest"
                => "a client message reached a shard region that was shutting down (its node leaving or stopping); the client's request was failed within its bound",
            "GameServer.Cluster.Entities.HandOffStop" or "GameServer.Cluster.Entities.PlayerEntity+PassivateStop"
                => "a stop for an entity that had already stopped (a passivation and a hand-off crossing)",
            "GameServer.Cluster.Entities.PlayerEntity+IdleExpired" or "GameServer.Cluster.Entities.PlayerEntity+RequestTimedOut"
                => "a deadline fired just as its entity stopped; the entity no longer needed it",
            _ when messageType.StartsWith("Akka.", StringComparison.Ordinal)
                => "cluster, remoting and sharding internals sent to nodes that were joining, leaving, downed or shutting down",
            _ => null,
        };
    }
}
