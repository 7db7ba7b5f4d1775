namespace GameServer.Cluster.Entities;

/// <summary>A message for one player's entity; the shard region routes it by <see cref="PlayerId"/>.</summary>
internal interface IPlayerMessage
{
    /// <summary>Gets the player id, which is the entity id.</summary>
    string PlayerId { get; }
}
