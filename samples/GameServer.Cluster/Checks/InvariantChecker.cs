using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GameServer.Cluster.Events;

namespace GameServer.Cluster.Checks;

/// <summary>
/// Checks the invariants of issue 11 on a finished run, from the nodes' event logs (monotonic
/// timestamps, comparable across processes on one machine) and the bots' counts.
/// </summary>
internal static class InvariantChecker
{
    public const string OneLiveIncarnation = "an entity never has two live incarnations at once";
    public const string TokensEndFirst = "every token ends before its incarnation's PostStop and before the next incarnation starts";
    public const string NoLeaksNoHangs = "graceful nodes end with 0 live sources; every request answered or failed in its bound";
    public const string DeadLettersExplained = "every dead letter is counted and explained";

    private const int MaxExamples = 5;

    public static IReadOnlyList<InvariantResult> Check(RunAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        return
        [
            CheckOneLiveIncarnation(analysis),
            CheckTokensEndFirst(analysis),
            CheckNoLeaksNoHangs(analysis.Run),
            CheckDeadLetters(analysis.Run),
        ];
    }

    public static InvariantResult CheckOneLiveIncarnation(RunAnalysis analysis)
    {
        var violations = new Violations();
        foreach (var incarnation in analysis.Incarnations)
        {
            if (incarnation.End == long.MaxValue)
            {
                violations.Add($"{incarnation.Entity} incarnation {incarnation.Id} on node {incarnation.Node} never stopped, and its node was not killed");
            }

            if (incarnation.Next is { } next && next.Start < incarnation.End)
            {
                violations.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{incarnation.Entity}: incarnation {next.Id} on node {next.Node} started {Ms(incarnation.End == long.MaxValue ? 0 : incarnation.End - next.Start)} before {incarnation.Id} on node {incarnation.Node} ended"));
            }
        }

        return violations.Result(OneLiveIncarnation, $"{analysis.Incarnations.Count:N0} incarnations");
    }

    public static InvariantResult CheckTokensEndFirst(RunAnalysis analysis)
    {
        var violations = new Violations();
        long tokens = 0;
        foreach (var incarnation in analysis.Incarnations)
        {
            if (incarnation.Stop != 0 && incarnation.LiveAtStop != 0)
            {
                violations.Add($"{incarnation.Entity} incarnation {incarnation.Id}: {incarnation.LiveAtStop} token(s) still live in PostStop ({incarnation.Cause})");
            }

            foreach (var token in incarnation.Tokens)
            {
                tokens++;

                // A token of a killed node with no end line died with its process.
                var ended = token.Ended != 0 ? token.Ended : incarnation.KilledAt;
                if (ended == 0)
                {
                    violations.Add($"{incarnation.Entity} incarnation {incarnation.Id}: {token.Slot} token {token.Number} never ended");
                    continue;
                }

                if (incarnation.Stop != 0 && ended > incarnation.Stop)
                {
                    violations.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{incarnation.Entity} incarnation {incarnation.Id}: {token.Slot} token {token.Number} ended ({token.Cause}) {Ms(ended - incarnation.Stop)} after PostStop"));
                }
                else if (incarnation.Next is { } next && ended > next.Start)
                {
                    violations.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{incarnation.Entity} incarnation {incarnation.Id}: {token.Slot} token {token.Number} ended {Ms(ended - next.Start)} after {next.Id} started on node {next.Node}"));
                }
            }
        }

        return violations.Result(TokensEndFirst, $"{tokens:N0} tokens of {analysis.Incarnations.Count:N0} incarnations");
    }

    public static InvariantResult CheckNoLeaksNoHangs(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var violations = new Violations();
        var graceful = 0;
        foreach (var node in run.Nodes)
        {
            if (node.End == NodeEnd.Failed)
            {
                violations.Add($"node {node.Index} did not exit cleanly within its bound");
                continue;
            }

            if (node.End is not (NodeEnd.Left or NodeEnd.Stopped))
            {
                continue;
            }

            graceful++;
            var exit = node.Events.LastOrDefault(e => e.Kind == EventKind.Exit);
            if (exit is null)
            {
                violations.Add($"node {node.Index} stopped without writing its exit line");
            }
            else if (exit.Number(0) != 0)
            {
                violations.Add($"node {node.Index} ended with {exit.Number(0)} live source(s)");
            }
        }

        if (run.HungRequests != 0)
        {
            violations.Add($"{run.HungRequests} request(s) neither answered nor failed within the bots' bound");
        }

        return violations.Result(NoLeaksNoHangs, $"{graceful} graceful node(s), {run.Requests:N0} requests");
    }

    public static InvariantResult CheckDeadLetters(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var violations = new Violations();
        long total = 0;
        foreach (var node in run.Nodes)
        {
            foreach (var (type, count) in RunAnalysis.DeadLetters(node))
            {
                total += count;
                if (DeadLetterExplainer.Explain(type) is null)
                {
                    violations.Add($"node {node.Index}: {count} dead letter(s) of {type}, which the design says cannot be lost", count);
                }
            }
        }

        return violations.Result(DeadLettersExplained, $"{total:N0} dead letters");
    }

    private static string Ms(long stopwatchTicks) => string.Create(CultureInfo.InvariantCulture,
        $"{stopwatchTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency:0.###} ms");

    private sealed class Violations
    {
        private readonly List<string> _examples = new();
        private long _count;

        public void Add(string description, long count = 1)
        {
            _count += count;
            if (_examples.Count < MaxExamples)
            {
                _examples.Add(description);
            }
        }

        public InvariantResult Result(string name, string checkedWhat) => new(name, checkedWhat, _count, _examples);
    }
}
