using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Cluster.Sharding;
using GameServer.Cluster.Entities;
using GameServer.Cluster.Events;

namespace GameServer.Cluster.Node;

/// <summary>
/// One node process: an actor system on a free loopback port that joins the cluster through the seed, the
/// player shard region, a game listener on another free port, and a command loop on standard input
/// (<c>leave</c>: leave the cluster gracefully, handing off its shards; <c>stop</c>: the end of the run).
/// Lines starting with <see cref="Marker"/> on standard output tell the launcher how far it got.
/// </summary>
internal static class NodeHost
{
    public const string Marker = "@@ ";

    public static async Task<int> RunAsync(NodeOptions options)
    {
        // Attached before any owner exists, so live sources are absolute for this process.
        using var meter = new NodeMeter();
        using var log = new NodeEventLog(options.LogPath);
        log.Write(EventKind.Node, options.Index, Environment.ProcessId);
        var context = new EntityContext(options.Index, log, options.IdleTimeout, options.RequestTimeout, options.Fault);
        var deadLetters = new DeadLetterCounter();

        var system = ActorSystem.Create(ClusterConfig.SystemName, ClusterConfig.Create());
        deadLetters.Start(system);
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        if (options.SeedPort == 0)
        {
            cluster.Join(cluster.SelfAddress);
        }
        else
        {
            cluster.JoinSeedNodes(new[] { new Address("akka.tcp", ClusterConfig.SystemName, "127.0.0.1", options.SeedPort) });
        }

        var sharding = ClusterSharding.Get(system);
        var settings = ClusterShardingSettings.Create(system);
        var region = await sharding.StartAsync(
            "player",
            id => PlayerEntity.Props(id, context),
            settings,
            new PlayerMessageExtractor(options.Shards),
            sharding.DefaultShardAllocationStrategy(settings),
            HandOffStop.Instance);

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1024);
        var gamePort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Say($"ready {cluster.SelfAddress.Port} {gamePort}");

        using var stopping = new CancellationTokenSource();
        var sessions = new List<Task>();
        var accepting = AcceptAsync(listener, region, options, sessions, stopping.Token);
        using var snapshots = new Timer(_ => WriteSnapshot(log, meter, deadLetters), null, 1000, 1000);

        _ = up.Task.ContinueWith(_ => Say("up"), TaskScheduler.Default);
        // End of input (the launcher went away) counts as "stop".
        var verb = (await Console.In.ReadLineAsync())?.Trim() ?? "stop";
        if (verb == "leave")
        {
            context.OnLeaving();
        }
        else
        {
            context.OnShutdown();
        }

        log.Write(EventKind.Leaving, verb);

        // Clients first, so the bots move to the surviving nodes while this node still hands off its shards.
        stopping.Cancel();
        listener.Close();
        await accepting;
        Task[] open;
        lock (sessions)
        {
            open = sessions.ToArray();
        }

        await Task.WhenAll(open).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        var terminated = await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(40)).ContinueWith(task => task.IsCompletedSuccessfully);
        snapshots.Dispose();
        WriteSnapshot(log, meter, deadLetters);
        log.Write(EventKind.Exit, meter.SourcesLive, terminated ? "terminated" : "not-terminated");
        log.Dispose();
        Say("exit");
        return terminated ? 0 : 1;
    }

    private static async Task AcceptAsync(Socket listener, IActorRef region, NodeOptions options, List<Task> sessions, CancellationToken stopping)
    {
        long ids = options.Index * 1_000_000_000L;
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            socket.NoDelay = true;
            var session = new ClientSession(socket, region, options, ++ids).RunAsync(stopping);
            lock (sessions)
            {
                sessions.RemoveAll(static task => task.IsCompleted);
                sessions.Add(session);
            }
        }
    }

    private static void WriteSnapshot(NodeEventLog log, NodeMeter meter, DeadLetterCounter deadLetters)
    {
        log.Write(EventKind.Meter, meter.Snapshot());
        foreach (var (type, count) in deadLetters.Counts.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            log.Write(EventKind.Dead, type, count, deadLetters.Example(type));
        }
    }

    private static void Say(string line)
    {
        Console.Out.WriteLine(Marker + line);
        Console.Out.Flush();
    }
}
