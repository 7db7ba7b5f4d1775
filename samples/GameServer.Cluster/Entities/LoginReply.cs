namespace GameServer.Cluster.Entities;

/// <summary>The entity's answer to a <see cref="Login"/>.</summary>
/// <param name="Node">The node the entity runs on.</param>
/// <param name="Incarnation">The incarnation that answered.</param>
/// <param name="Served">Requests this incarnation has completed so far.</param>
internal sealed record LoginReply(int Node, string Incarnation, int Served);
