namespace GameServer.Cluster.Entities;

/// <summary>A client heartbeat: moves the entity's idle deadline. No reply.</summary>
/// <param name="PlayerId">The player.</param>
internal sealed record Touch(string PlayerId) : IPlayerMessage;
