using System.Collections.Generic;
using System.Linq;
using GameServer.Cluster.Checks;
using GameServer.Cluster.Events;

namespace GameServer.Cluster.Tests.Checks;

/// <summary>Builds node event logs by hand, line by line, as the nodes would write them.</summary>
internal sealed class SyntheticRun
{
    private readonly Dictionary<int, (NodeEnd End, long KilledAt, List<LogEvent> Events)> _nodes = new();

    public long Requests { get; set; } = 100;

    public long Hung { get; set; }

    public SyntheticRun Node(int node, NodeEnd end, long killedAt = 0)
    {
        _nodes[node] = (end, killedAt, new List<LogEvent>());
        return this;
    }

    public SyntheticRun Event(int node, long at, EventKind kind, params object[] fields)
    {
        _nodes[node].Events.Add(new LogEvent(at, node, kind, fields.Select(f => System.Convert.ToString(f, System.Globalization.CultureInfo.InvariantCulture)!).ToArray()));
        return this;
    }

    /// <summary>A whole incarnation: start, one idle token issued and ended, stop with no live token.</summary>
    public SyntheticRun Incarnation(int node, string entity, string id, long start, long stop, string cause = "Passivated")
    {
        Event(node, start, EventKind.Start, entity, id);
        Event(node, start + 1, EventKind.Issued, entity, id, 1, "idle");
        Event(node, stop - 1, EventKind.Ended, entity, id, 1, "OwnerEnded");
        return Event(node, stop, EventKind.Stop, entity, id, cause, 0);
    }

    /// <summary>The exit line of a node that stopped gracefully.</summary>
    public SyntheticRun Exit(int node, long at, long liveSources = 0) => Event(node, at, EventKind.Exit, liveSources, "terminated");

    public RunRecord Build() => new(
        _nodes.OrderBy(n => n.Key).Select(n => new NodeRecord(n.Key, n.Value.End, n.Value.KilledAt, n.Value.Events)).ToList(),
        Requests,
        Hung);

    public RunAnalysis Analyze() => RunAnalysis.Build(Build());
}
