using Akka.Cluster.Sharding;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>Entity id = player id; the shard is a stable hash of it (Akka's <see cref="HashCodeMessageExtractor"/>).</summary>
public sealed class SessionMessageExtractor : HashCodeMessageExtractor
{
    public SessionMessageExtractor(int maxShards)
        : base(maxShards)
    {
    }

    public override string? EntityId(object message) => message is Play play ? play.PlayerId : null;

    /// <summary>The shard a player's entity lives in.</summary>
    public string ShardOf(string playerId) => ShardId(playerId, new Play(playerId, 0));
}
