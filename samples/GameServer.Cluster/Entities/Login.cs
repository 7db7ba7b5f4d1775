namespace GameServer.Cluster.Entities;

/// <summary>A client logged in as <see cref="PlayerId"/> on some node; the entity answers with a <see cref="LoginReply"/>.</summary>
/// <param name="PlayerId">The player.</param>
internal sealed record Login(string PlayerId) : IPlayerMessage;
