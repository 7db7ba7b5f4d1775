namespace GameServer.Cluster.Entities;

/// <summary>The entity's answer to a <see cref="PlayerRequest"/>.</summary>
/// <param name="Tag">The request's tag.</param>
/// <param name="Outcome">What happened to it.</param>
/// <param name="Node">The node the entity runs on.</param>
internal sealed record RequestReply(int Tag, RequestOutcome Outcome, int Node);
