using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Protocol;

namespace GameServer.Cluster.Launcher;

/// <summary>
/// One bot, always the same player. It connects to a live node, logs in, heartbeats and sends requests
/// (sometimes two at once, the second replacing the first), waits for every answer within its bound, and
/// ends each connection by leaving, going idle long enough for its entity to passivate, or dropping. When
/// its node leaves or dies it reconnects to another node and resumes its player there.
/// </summary>
internal sealed class ClusterBot
{
    private readonly int _index;
    private readonly string _player;
    private readonly LiveNodes _nodes;
    private readonly BotStats _stats;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _bound;
    private readonly Random _random;
    private ushort _tags;

    /// <summary>Creates bot <paramref name="index"/>, which plays <c>player-{index}</c>.</summary>
    /// <param name="index">The bot's index.</param>
    /// <param name="nodes">The nodes it may connect to.</param>
    /// <param name="stats">The counters to fill.</param>
    /// <param name="idleTimeout">The entities' idle timeout: the bot heartbeats well within it, and idles past it.</param>
    /// <param name="bound">How long a request may take before it counts as hung: the node's ask bound plus slack.</param>
    public ClusterBot(int index, LiveNodes nodes, BotStats stats, TimeSpan idleTimeout, TimeSpan bound)
    {
        _index = index;
        _player = FormattableString.Invariant($"player-{index}");
        _nodes = nodes;
        _stats = stats;
        _idleTimeout = idleTimeout;
        _bound = bound;
        _random = new Random(index * 7919);
    }

    public async Task RunAsync(TimeSpan startDelay, CancellationToken stop)
    {
        await Task.Delay(startDelay, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var attempt = 0;
        var lostNode = false;
        while (!stop.IsCancellationRequested)
        {
            if (!_nodes.TryPick(_index + attempt++, out var node, out var endPoint))
            {
                await Pause(TimeSpan.FromMilliseconds(200), stop);
                continue;
            }

            var ending = await SessionAsync(node, endPoint!, lostNode, stop);
            lostNode = ending == Ending.Lost;
            var pause = ending switch
            {
                Ending.Idle => _idleTimeout * 1.5,
                Ending.Lost => TimeSpan.FromMilliseconds(_random.Next(50, 300)),
                _ => TimeSpan.FromMilliseconds(_random.Next(20, 300)),
            };
            await Pause(pause, stop);
        }
    }

    private async Task<Ending> SessionAsync(int node, IPEndPoint endPoint, bool resuming, CancellationToken stop)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var connectBound = CancellationTokenSource.CreateLinkedTokenSource(stop);
            connectBound.CancelAfter(_bound);
            await socket.ConnectAsync(endPoint, connectBound.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            if (!stop.IsCancellationRequested)
            {
                _stats.OnConnectFailure();
            }

            return Ending.Lost;
        }

        _stats.OnConnected();
        var link = new BotLink(socket);
        var abort = false;
        try
        {
            await link.SendAsync(Frames.Hello(_player));
            await ((Task)Task.WhenAny(link.Welcome, link.Ended)).WaitAsync(_bound, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!link.Welcome.IsCompleted)
            {
                if (!stop.IsCancellationRequested)
                {
                    _stats.OnLoginFailure();
                }

                return Ending.Lost;
            }

            _stats.OnSession(node, resuming);
            var steps = _random.Next(10, 60);
            for (var step = 0; step < steps; step++)
            {
                if (stop.IsCancellationRequested)
                {
                    return Ending.Stopped;
                }

                if (link.Ended.IsCompleted)
                {
                    return Ending.Lost;
                }

                await link.SendAsync(Frames.Heartbeat);
                var roll = _random.Next(100);
                if (roll < 70)
                {
                    var first = await SendRequestAsync(link);
                    if (roll < 8)
                    {
                        // A change of mind: the second request replaces the first, which is answered Replaced.
                        var second = await SendRequestAsync(link);
                        await RecordAsync(node, first, stop);
                        await RecordAsync(node, second, stop);
                    }
                    else
                    {
                        await RecordAsync(node, first, stop);
                    }
                }

                await Pause(_idleTimeout * (0.15 + (0.15 * _random.NextDouble())), stop);
            }

            var end = _random.Next(100);
            if (end < 55)
            {
                _stats.OnBye();
                await link.SendAsync(Frames.Bye);
                await ((Task)link.Ended).WaitAsync(_bound, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return Ending.Bye;
            }

            if (end < 85)
            {
                _stats.OnIdle();
                return Ending.Idle;
            }

            _stats.OnDrop();
            abort = true;
            return Ending.Bye;
        }
        catch (Exception ex) when (ex is System.IO.IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return Ending.Lost;
        }
        finally
        {
            await link.CloseAsync(abort);
            _stats.OnDisconnected();
        }
    }

    /// <summary>Sends one request; the answer is awaited later, so a second request can replace it first.</summary>
    private async Task<(Task<BotOutcome> Answer, long Sent)> SendRequestAsync(BotLink link)
    {
        var tag = ++_tags == 0 ? ++_tags : _tags;
        var answer = link.Expect(tag);
        var sent = Stopwatch.GetTimestamp();
        await link.SendAsync(Frames.LoadLevel(tag));
        return (answer, sent);
    }

    private async Task RecordAsync(int node, (Task<BotOutcome> Answer, long Sent) request, CancellationToken stop)
    {
        BotOutcome outcome;
        try
        {
            outcome = await request.Answer.WaitAsync(_bound, stop);
        }
        catch (TimeoutException)
        {
            outcome = BotOutcome.Hung;
        }
        catch (OperationCanceledException)
        {
            outcome = request.Answer.IsCompleted ? request.Answer.Result : BotOutcome.Abandoned;
        }

        _stats.OnOutcome(node, outcome, Stopwatch.GetElapsedTime(request.Sent));
    }

    private static async Task Pause(TimeSpan time, CancellationToken stop) =>
        await Task.Delay(time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private enum Ending
    {
        Bye,
        Idle,
        Lost,
        Stopped,
    }
}
