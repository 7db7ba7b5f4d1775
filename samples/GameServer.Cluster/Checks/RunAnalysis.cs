using System;
using System.Collections.Generic;
using System.Linq;
using GameServer.Cluster.Entities;
using GameServer.Cluster.Events;
using Lifetime;

namespace GameServer.Cluster.Checks;

/// <summary>The incarnations and tokens of a run, rebuilt from every node's event log.</summary>
internal sealed class RunAnalysis
{
    private RunAnalysis(RunRecord run, List<Incarnation> incarnations)
    {
        Run = run;
        Incarnations = incarnations;
    }

    public RunRecord Run { get; }

    /// <summary>Gets every incarnation, ordered by entity, then start.</summary>
    public IReadOnlyList<Incarnation> Incarnations { get; }

    /// <exception cref="FormatException">A log line has missing or malformed fields.</exception>
    public static RunAnalysis Build(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var byId = new Dictionary<string, Incarnation>(StringComparer.Ordinal);
        foreach (var node in run.Nodes)
        {
            foreach (var e in node.Events)
            {
                switch (e.Kind)
                {
                    case EventKind.Start:
                        byId[e.Field(1)] = new Incarnation(e.Field(0), e.Field(1), node.Index, e.Timestamp)
                        {
                            KilledAt = node.End == NodeEnd.Killed ? node.KilledAt : 0,
                        };
                        break;
                    case EventKind.Stop when byId.TryGetValue(e.Field(1), out var stopped):
                        stopped.Stop = e.Timestamp;
                        stopped.KilledAt = 0;
                        stopped.Cause = Enum.Parse<StopCause>(e.Field(2));
                        stopped.LiveAtStop = e.Number(3);
                        break;
                    case EventKind.Issued when byId.TryGetValue(e.Field(1), out var issuer):
                        issuer.Tokens.Add(new TokenRecord(e.Number(2), e.Field(3), e.Timestamp));
                        break;
                    case EventKind.Ended when byId.TryGetValue(e.Field(1), out var owner):
                        var number = e.Number(2);
                        var token = owner.Tokens.FindLast(t => t.Number == number);
                        if (token is not null)
                        {
                            token.Ended = e.Timestamp;
                            token.Cause = Enum.Parse<TokenEndCause>(e.Field(3));
                        }

                        break;
                }
            }
        }

        var incarnations = byId.Values.OrderBy(i => i.Entity, StringComparer.Ordinal).ThenBy(i => i.Start).ToList();
        for (var i = 0; i + 1 < incarnations.Count; i++)
        {
            if (incarnations[i].Entity == incarnations[i + 1].Entity)
            {
                incarnations[i].Next = incarnations[i + 1];
            }
        }

        return new RunAnalysis(run, incarnations);
    }

    /// <summary>Gets the last <see cref="EventKind.Meter"/> line of a node, or null.</summary>
    public static LogEvent? LastMeter(NodeRecord node) => node.Events.LastOrDefault(e => e.Kind == EventKind.Meter);

    /// <summary>Gets a node's dead letters by message type, from its last count of each.</summary>
    public static IReadOnlyDictionary<string, long> DeadLetters(NodeRecord node)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in node.Events)
        {
            if (e.Kind == EventKind.Dead)
            {
                counts[e.Field(0)] = e.Number(1);
            }
        }

        return counts;
    }
}
