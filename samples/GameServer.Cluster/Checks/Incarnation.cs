using System.Collections.Generic;
using GameServer.Cluster.Entities;

namespace GameServer.Cluster.Checks;

/// <summary>One entity incarnation as the logs show it.</summary>
internal sealed class Incarnation
{
    public Incarnation(string entity, string id, int node, long start)
    {
        Entity = entity;
        Id = id;
        Node = node;
        Start = start;
    }

    public string Entity { get; }

    public string Id { get; }

    public int Node { get; }

    /// <summary>Gets when its constructor ran.</summary>
    public long Start { get; }

    /// <summary>Gets when its <c>PostStop</c> logged the stop, or 0 when there is no stop line.</summary>
    public long Stop { get; set; }

    public StopCause Cause { get; set; }

    /// <summary>Gets how many of its tokens were still live when <c>PostStop</c> ran.</summary>
    public long LiveAtStop { get; set; }

    /// <summary>Gets when its node was seen dead, for an incarnation on a killed node that logged no stop; else 0.</summary>
    public long KilledAt { get; set; }

    /// <summary>Gets when it ended: its stop, or its node's death; <see cref="long.MaxValue"/> when neither is known.</summary>
    public long End => Stop != 0 ? Stop : KilledAt != 0 ? KilledAt : long.MaxValue;

    /// <summary>Gets the next incarnation of the same entity, anywhere, or null.</summary>
    public Incarnation? Next { get; set; }

    public List<TokenRecord> Tokens { get; } = new();
}
