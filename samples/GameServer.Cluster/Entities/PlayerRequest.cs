namespace GameServer.Cluster.Entities;

/// <summary>A request; it replaces (cancels) the player's request in flight. Answered with a <see cref="RequestReply"/>.</summary>
/// <param name="PlayerId">The player.</param>
/// <param name="Tag">The client's tag for the request, echoed in the reply.</param>
/// <param name="WorkMilliseconds">How long the simulated work takes.</param>
internal sealed record PlayerRequest(string PlayerId, int Tag, int WorkMilliseconds) : IPlayerMessage;
