namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// A request to a player's session entity: one turn. Sent through the shard region, possibly across nodes. With
/// <paramref name="Hold"/> the turn also starts work that outlives the message and only ends when its token does.
/// </summary>
public sealed record Play(string PlayerId, int Turn, bool Hold = false);

/// <summary>The entity's answer to <see cref="Play"/>: which incarnation answered, on which node.</summary>
public sealed record Played(string PlayerId, int Turn, int Incarnation, string Node);
