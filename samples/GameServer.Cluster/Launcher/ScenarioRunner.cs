using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Cluster.Checks;
using GameServer.Cluster.Events;
using GameServer.Cluster.Node;

namespace GameServer.Cluster.Launcher;

/// <summary>
/// The launcher: starts the node processes (node 1 is the seed), waits until the first ones are up, starts
/// the bots, runs the scenario's steps on timers while printing a progress line, stops everything, reads
/// every node's event log, checks the invariants and prints the report.
/// </summary>
internal static class ScenarioRunner
{
    private static readonly TimeSpan s_startBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_exitBound = TimeSpan.FromSeconds(60);

    // Fractions of the duration at which the default scenario's steps run.
    private const double JoinAt = 0.2;
    private const double LeaveAt = 0.35;

    // Early enough for the resolver to down the killed node (about 8 s) and its entities to restart well before the end.
    private const double KillAt = 0.5;

    // The least time between the end of one step and the start of the next.
    private static readonly TimeSpan s_minStepGap = TimeSpan.FromSeconds(5);

    // Failure detection, the resolver's stable-after, removal and new shard homes take 8 to 16 s here.
    private static readonly TimeSpan s_afterKill = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(ClusterOptions options, TextWriter output)
    {
        var logDirectory = options.LogDirectory ?? Path.Combine(
            Path.GetTempPath(),
            string.Create(CultureInfo.InvariantCulture, $"gameserver-cluster-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}"));
        Directory.CreateDirectory(logDirectory);
        var nodeOptions = new NodeOptions { LogPath = string.Empty, IdleTimeout = options.IdleTimeout, Shards = options.Shards, Fault = options.Fault };
        var nodes = new List<NodeProcess>();
        var live = new LiveNodes();
        var stats = new BotStats(options.Nodes);
        var timeline = new Timeline();
        var status = "starting nodes";
        string? aborted = null;
        var progress = new ProgressLine(output, options, stats, live);

        NodeProcess StartNode(int index, int seedPort)
        {
            var node = NodeProcess.Start(
                new NodeOptions
                {
                    Index = index,
                    SeedPort = seedPort,
                    LogPath = LogPath(logDirectory, index),
                    IdleTimeout = nodeOptions.IdleTimeout,
                    Shards = nodeOptions.Shards,
                    Fault = nodeOptions.Fault,
                },
                Path.Combine(logDirectory, string.Create(CultureInfo.InvariantCulture, $"node-{index}.console.txt")));
            lock (nodes)
            {
                nodes.Add(node);
            }

            return node;
        }

        try
        {
            var seed = StartNode(1, 0);
            await seed.Ready.WaitAsync(s_startBound);
            var initial = Enumerable.Range(2, options.Nodes - 1).Where(i => options.Scenario == Scenario.Steady || i != 3);
            foreach (var index in initial)
            {
                StartNode(index, seed.AkkaPort);
            }

            NodeProcess[] first;
            lock (nodes)
            {
                first = nodes.ToArray();
            }

            await Task.WhenAll(first.Select(n => n.Up)).WaitAsync(s_startBound);
            foreach (var node in first)
            {
                live.Add(node.Index, node.GamePort);
            }

            timeline.Origin = timeline.Add($"nodes {live} up; bots start");
            using var stopBots = new CancellationTokenSource();
            var bound = nodeOptions.AskTimeout + TimeSpan.FromSeconds(2);
            var rampUp = TimeSpan.FromSeconds(Math.Min(5, options.Duration.TotalSeconds / 10));
            var bots = Task.WhenAll(Enumerable.Range(0, options.Bots).Select(i =>
                new ClusterBot(i, live, stats, options.IdleTimeout, bound).RunAsync(rampUp * i / options.Bots, stopBots.Token)));

            var steps = options.Scenario == Scenario.Default
                ? RunDefaultStepsAsync(options, timeline, live, nodes, seed, StartNode, text => status = text)
                : Task.CompletedTask;
            status = options.Scenario == Scenario.Default ? "node 3 joins next" : "steady";
            while (Stopwatch.GetElapsedTime(timeline.Origin) < End(options, timeline) || !steps.IsCompleted)
            {
                progress.Print(Stopwatch.GetElapsedTime(timeline.Origin), status);
                await Task.WhenAny(steps, Task.Delay(TimeSpan.FromSeconds(1)));
                if (steps.IsFaulted)
                {
                    break;
                }
            }

            await steps;
            status = "stopping bots";
            timeline.Add("bots stop");
            stopBots.Cancel();
            await bots.WaitAsync(TimeSpan.FromSeconds(30));

            NodeProcess[] remaining;
            lock (nodes)
            {
                remaining = nodes.Where(n => n.End == NodeEnd.Running).ToArray();
            }

            timeline.Add($"nodes {string.Join(',', remaining.Select(n => n.Index))} told to stop");
            foreach (var node in remaining)
            {
                live.Remove(node.Index);
                await node.StopAsync();
            }

            await Task.WhenAll(remaining.Select(n => n.WaitForExitAsync(s_exitBound)));
            timeline.Add("every node exited");
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException)
        {
            aborted = ex.Message;
        }
        finally
        {
            progress.Done();
            lock (nodes)
            {
                foreach (var node in nodes)
                {
                    node.Dispose();
                }
            }
        }

        var records = nodes.Select(n => new NodeRecord(n.Index, n.End == NodeEnd.Running ? NodeEnd.Failed : n.End, n.KilledAt, EventLogReader.Read(LogPath(logDirectory, n.Index), n.Index)))
            .OrderBy(n => n.Index)
            .ToList();
        var run = new RunRecord(records, stats.Requests(), stats.Outcome(BotOutcome.Hung));
        var analysis = RunAnalysis.Build(run);
        var checks = InvariantChecker.Check(analysis);
        var report = new ClusterReport(options, analysis, checks, stats, timeline, logDirectory, aborted);
        await output.WriteAsync(report.Render());
        return aborted is null && checks.All(c => c.Held) ? 0 : 1;
    }

    private static async Task RunDefaultStepsAsync(
        ClusterOptions options, Timeline timeline, LiveNodes live, List<NodeProcess> nodes, NodeProcess seed,
        Func<int, int, NodeProcess> startNode, Action<string> setStatus)
    {
        NodeProcess Node(int index)
        {
            lock (nodes)
            {
                return nodes.Single(n => n.Index == index);
            }
        }

        await Until(timeline, options.Duration * JoinAt);
        setStatus("node 3 joining");
        timeline.LateNode = 3;
        timeline.Add("node 3 starts (joins late)");
        var late = startNode(3, seed.AkkaPort);
        await late.Up.WaitAsync(s_startBound);
        live.Add(3, late.GamePort);
        timeline.NodeJoinedAt = timeline.Add("node 3 up: shards rebalance to it");
        setStatus("node 3 joined");

        // On a busy machine node 3 can come up late: leave it a few rebalance rounds before the next step.
        await Until(timeline, Max(options.Duration * LeaveAt, Stopwatch.GetElapsedTime(timeline.Origin) + s_minStepGap));
        setStatus("node 2 leaving");
        var leaving = Node(2);
        timeline.LeavingNode = 2;
        live.Remove(2);
        timeline.LeaveAt = timeline.Add("node 2 told to leave: its shards are handed off");
        await leaving.LeaveAsync();
        await leaving.WaitForExitAsync(s_exitBound);
        timeline.LeftAt = timeline.Add("node 2 exited");
        setStatus("node 2 left");

        await Until(timeline, Max(options.Duration * KillAt, Stopwatch.GetElapsedTime(timeline.Origin) + s_minStepGap));
        setStatus("node 3 killed");
        timeline.KilledNode = 3;
        live.Remove(3);
        await late.KillAsync();
        timeline.KillAt = timeline.Add("node 3 killed (SIGKILL): the resolver downs it");
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// The duration, or later when the kill came late (a slow machine delays the join and so every later
    /// step): the bots play on at least <see cref="s_afterKill"/> after it, so the killed node's entities have
    /// time to be downed and start again elsewhere.
    /// </summary>
    private static TimeSpan End(ClusterOptions options, Timeline timeline) => timeline.KillAt == 0
        ? options.Duration
        : Max(options.Duration, Stopwatch.GetElapsedTime(timeline.Origin, timeline.KillAt) + s_afterKill);

    private static async Task Until(Timeline timeline, TimeSpan at)
    {
        var wait = at - Stopwatch.GetElapsedTime(timeline.Origin);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    private static string LogPath(string directory, int node) =>
        Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"node-{node}.events.tsv"));
}
