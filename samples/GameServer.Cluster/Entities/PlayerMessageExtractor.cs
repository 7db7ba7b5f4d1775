using Akka.Cluster.Sharding;

namespace GameServer.Cluster.Entities;

/// <summary>Routes every <see cref="IPlayerMessage"/> to the entity named by its player id, over a fixed number of shards.</summary>
internal sealed class PlayerMessageExtractor : HashCodeMessageExtractor
{
    public PlayerMessageExtractor(int shards)
        : base(shards)
    {
    }

    public override string? EntityId(object message) => (message as IPlayerMessage)?.PlayerId;
}
