using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using GameServer.Cluster.Checks;
using GameServer.Cluster.Entities;
using GameServer.Cluster.Events;

namespace GameServer.Cluster.Launcher;

/// <summary>The combined report of a run: timeline, per-node and total figures, moves, requests, dead letters, invariants.</summary>
internal sealed class ClusterReport
{
    private const int LabelWidth = 30;
    private const int ColumnWidth = 10;

    private readonly ClusterOptions _options;
    private readonly RunAnalysis _analysis;
    private readonly IReadOnlyList<InvariantResult> _checks;
    private readonly BotStats _stats;
    private readonly Timeline _timeline;
    private readonly string _logDirectory;
    private readonly string? _aborted;
    private readonly StringBuilder _text = new();

    public ClusterReport(ClusterOptions options, RunAnalysis analysis, IReadOnlyList<InvariantResult> checks, BotStats stats, Timeline timeline, string logDirectory, string? aborted)
    {
        _options = options;
        _analysis = analysis;
        _checks = checks;
        _stats = stats;
        _timeline = timeline;
        _logDirectory = logDirectory;
        _aborted = aborted;
    }

    private IReadOnlyList<NodeRecord> Nodes => _analysis.Run.Nodes;

    public string Render()
    {
        Line($"GameServer.Cluster: {_options.Nodes} nodes, {_options.Bots:N0} bots, {_options.Duration.TotalSeconds:0} s, scenario {_options.Scenario.ToString().ToLowerInvariant()}" +
             (_options.Fault == EntityFault.None ? string.Empty : $", PLANTED FAULT {_options.Fault}"));
        Line($"event logs: {_logDirectory}");
        if (_aborted is not null)
        {
            Line($"RUN ABORTED: {_aborted}");
        }

        Line();
        Line("Timeline (seconds from the bots' start)");
        foreach (var (at, what) in _timeline.Entries)
        {
            Line($"  {_timeline.Seconds(at),6:0.0}  {what}");
        }

        Line();
        PerNode();
        Line();
        Starts();
        Line();
        Moves();
        Line();
        Requests();
        Line();
        DeadLetters();
        Line();
        Line("Invariants");
        foreach (var check in _checks)
        {
            Line($"  [{(check.Held ? "held" : "FAILED")}] {check.Name} ({check.Checked})");
            foreach (var example in check.Examples)
            {
                Line($"           {example}");
            }

            if (check.Violations > check.Examples.Count)
            {
                Line($"           ... {check.Violations - check.Examples.Count:N0} more");
            }
        }

        var failed = _checks.Count(c => !c.Held);
        Line();
        Line(_aborted is null && failed == 0
            ? "Result: every invariant held."
            : $"Result: FAILED ({(_aborted is null ? string.Empty : "run aborted; ")}{failed} invariant(s) failed).");
        return _text.ToString();
    }

    private void PerNode()
    {
        var header = new StringBuilder("Per node".PadRight(LabelWidth));
        foreach (var node in Nodes)
        {
            header.Append(Cell($"node {node.Index}"));
        }

        Line(header.Append(Cell("total")).ToString());
        Row("ended", n => n.End.ToString().ToLowerInvariant(), null);
        Row("sessions (bot logins)", n => _stats.Sessions(n.Index));
        Row("entity starts", n => Of(n).Count());
        foreach (var cause in new[] { StopCause.Passivated, StopCause.Rebalanced, StopCause.HandedOff, StopCause.Shutdown, StopCause.Other })
        {
            Row($"stops: {Name(cause)}", n => Of(n).Count(i => i.Stop != 0 && i.Cause == cause));
        }

        Row("stops: node killed", n => Of(n).Count(i => i.Stop == 0 && i.KilledAt != 0));
        Row("renews (meter)", n => Meter(n)?.Number(2) ?? 0);
        var causes = Nodes.SelectMany(n => EndedByCause(n).Keys).Distinct(StringComparer.Ordinal).OrderBy(c => c, StringComparer.Ordinal).ToList();
        foreach (var cause in causes)
        {
            Row($"tokens ended: {cause}", n => EndedByCause(n).GetValueOrDefault(cause));
        }

        Row("live sources at exit (meter)", n => n.End == NodeEnd.Killed
            ? "killed"
            : n.Events.LastOrDefault(e => e.Kind == EventKind.Exit)?.Field(0) ?? "none", total: null);
        Row("  last snapshot before kill", n => n.End == NodeEnd.Killed ? Meter(n)?.Field(0) ?? "none" : "-", total: null);
        Row("dead letters", n => RunAnalysis.DeadLetters(n).Values.Sum());
        Row("request p50 ms (via node)", n => Ms(_stats.Latency(n.Index).Percentile(50)), Ms(_stats.AllLatency.Percentile(50)));
        Row("request p99 ms (via node)", n => Ms(_stats.Latency(n.Index).Percentile(99)), Ms(_stats.AllLatency.Percentile(99)));
    }

    private void Starts()
    {
        var starts = new Dictionary<string, int>(StringComparer.Ordinal);
        Incarnation? previous = null;
        foreach (var incarnation in _analysis.Incarnations)
        {
            var cause = previous is null || previous.Entity != incarnation.Entity
                ? "first start"
                : previous.Stop == 0 && previous.KilledAt != 0 ? "restarted after its node was killed" : $"after {Name(previous.Cause)}";
            starts[cause] = starts.GetValueOrDefault(cause) + 1;
            previous = incarnation;
        }

        Line($"Entity starts by cause ({_analysis.Incarnations.Count:N0} incarnations of {_analysis.Incarnations.Select(i => i.Entity).Distinct().Count():N0} players)");
        foreach (var (cause, count) in starts.OrderByDescending(p => p.Value))
        {
            Line($"  {cause,-40}{count,10:N0}");
        }
    }

    private void Moves()
    {
        var moved = _analysis.Incarnations.Where(i => i.Next is { } next && next.Node != i.Node).ToList();
        Line($"Entities moved to another node: {moved.Count:N0}");
        foreach (var group in moved.GroupBy(i => i.Stop == 0 ? "node killed" : Name(i.Cause)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var gaps = group.Select(i => Seconds(i.Next!.Start - i.End)).OrderBy(g => g).ToList();
            Line($"  {group.Key,-12}{group.Count(),7:N0} moved; stop to start elsewhere (on the next message): p50 {Percentile(gaps, 50):0.000} s, max {gaps[^1]:0.000} s");
        }

        if (_timeline.NodeJoinedAt != 0)
        {
            // The launcher sees node 3 up a little after its region is: count every rebalanced stop.
            var rebalanced = _analysis.Incarnations.Where(i => i.Stop != 0 && i.Cause == StopCause.Rebalanced).ToList();
            Line(rebalanced.Count == 0
                ? $"  rebalance: no shard moved to node {_timeline.LateNode} before the next step"
                : $"  rebalance: node {_timeline.LateNode} up to last rebalanced entity stopped {Seconds(rebalanced.Max(i => i.Stop) - _timeline.NodeJoinedAt):0.00} s ({rebalanced.Count:N0} entities)");
        }

        if (_timeline.LeaveAt != 0)
        {
            var handedOff = _analysis.Incarnations.Where(i => i.Node == _timeline.LeavingNode && i.Stop != 0 && i.Cause == StopCause.HandedOff).ToList();
            var last = handedOff.Count == 0 ? "no entity to hand off" : $"last entity stopped after {Seconds(handedOff.Max(i => i.Stop) - _timeline.LeaveAt):0.00} s ({handedOff.Count:N0} entities)";
            Line($"  hand-off: node {_timeline.LeavingNode} told to leave; {last}; process exited after {Seconds(_timeline.LeftAt - _timeline.LeaveAt):0.00} s");
        }

        if (_timeline.KillAt != 0)
        {
            var restarted = _analysis.Incarnations.Where(i => i.Node == _timeline.KilledNode && i.Stop == 0 && i.Next is not null).Select(i => i.Next!).ToList();
            Line(restarted.Count == 0
                ? $"  kill: no entity of node {_timeline.KilledNode} started again before the run ended"
                : $"  kill: node {_timeline.KilledNode} killed; first of its entities started elsewhere after {Seconds(restarted.Min(i => i.Start) - _timeline.KillAt):0.00} s ({restarted.Count:N0} restarted)");
        }
    }

    private void Requests()
    {
        var total = _stats.Requests();
        Line($"Requests (as the bots saw them): {total:N0}");
        foreach (var outcome in Enum.GetValues<BotOutcome>())
        {
            Line($"  {Describe(outcome),-50}{_stats.Outcome(outcome),10:N0}");
        }

        Line($"Bots: {_stats.Resumed:N0} resumed their player on another node after losing theirs; {_stats.Idles:N0} went idle, " +
             $"{_stats.Byes:N0} said bye, {_stats.Drops:N0} dropped; {_stats.ConnectFailures:N0} connect and {_stats.LoginFailures:N0} login failures");
    }

    private void DeadLetters()
    {
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            foreach (var (type, count) in RunAnalysis.DeadLetters(node))
            {
                byType[type] = byType.GetValueOrDefault(type) + count;
            }
        }

        Line($"Dead letters: {byType.Values.Sum():N0}");
        foreach (var group in byType.GroupBy(p => DeadLetterExplainer.Explain(p.Key) ?? "NOT EXPLAINED").OrderByDescending(g => g.Sum(p => p.Value)))
        {
            Line($"  {group.Sum(p => p.Value),8:N0}  {group.Key}");
            foreach (var (type, count) in group.OrderByDescending(p => p.Value).Take(4))
            {
                Line($"            {count,8:N0} {type}");
            }
        }
    }

    private static string Describe(BotOutcome outcome) => outcome switch
    {
        BotOutcome.Completed => "completed (answered with its result)",
        BotOutcome.Replaced => "replaced by the player's next request",
        BotOutcome.TimedOut => "timed out (its token's deadline)",
        BotOutcome.Stopped => "failed: its entity stopped (moved or passivated)",
        BotOutcome.Unanswered => "failed: no answer through the region in time",
        BotOutcome.ConnectionLost => "lost with the connection (node killed)",
        BotOutcome.Abandoned => "abandoned when the run ended",
        _ => "HUNG (no answer, no failure within the bound)",
    };

    private static string Name(StopCause cause) => cause switch
    {
        StopCause.Passivated => "passivated",
        StopCause.HandedOff => "handed off",
        StopCause.Rebalanced => "rebalanced",
        StopCause.Shutdown => "shutdown",
        _ => "other",
    };

    private IEnumerable<Incarnation> Of(NodeRecord node) => _analysis.Incarnations.Where(i => i.Node == node.Index);

    private static LogEvent? Meter(NodeRecord node) => RunAnalysis.LastMeter(node);

    private static Dictionary<string, long> EndedByCause(NodeRecord node)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        if (Meter(node) is { } meter)
        {
            foreach (var pair in meter.Fields.Skip(3))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                result[pair[..equals]] = long.Parse(pair[(equals + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return result;
    }

    private void Row(string label, Func<NodeRecord, long> value)
    {
        var sum = Nodes.Sum(value);
        Row(label, n => value(n).ToString("N0", CultureInfo.InvariantCulture), sum.ToString("N0", CultureInfo.InvariantCulture));
    }

    private void Row(string label, Func<NodeRecord, string> value, string? total)
    {
        var row = new StringBuilder("  " + label.PadRight(LabelWidth - 2));
        foreach (var node in Nodes)
        {
            row.Append(Cell(value(node)));
        }

        Line(row.Append(Cell(total ?? string.Empty)).ToString().TrimEnd());
    }

    private static string Cell(string text) => text.PadLeft(ColumnWidth);

    private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static double Seconds(long stopwatchTicks) => (double)stopwatchTicks / Stopwatch.Frequency;

    private static double Percentile(List<double> sorted, double percentile) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1)];

    private void Line(string text = "") => _text.Append(text).Append('\n');
}
