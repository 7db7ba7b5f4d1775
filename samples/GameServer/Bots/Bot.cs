using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Protocol;
using Lifetime;

namespace GameServer.Bots;

/// <summary>
/// One bot. Its owner's default slot holds the current connection's token (linked to the swarm's stop
/// token); a second slot bounds each wait for a reply the server owes.
/// </summary>
internal sealed class Bot
{
    private readonly int _index;
    private readonly IPEndPoint _server;
    private readonly BotSwarmOptions _options;
    private readonly BotMetrics _metrics;
    private readonly Random _random;

    public Bot(int index, IPEndPoint server, BotSwarmOptions options, BotMetrics metrics)
    {
        _index = index;
        _server = server;
        _options = options;
        _metrics = metrics;
        _random = new Random(unchecked((index * 7919) + Environment.TickCount));
    }

    public async Task RunAsync(TimeSpan startDelay, CancellationToken stopToken)
    {
        await using var owner = new TokenOwner();
        var waits = owner.CreateSlot();
        await Task.Delay(startDelay, stopToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (!stopToken.IsCancellationRequested)
        {
            var connection = await owner.RenewLinkedAsync(stopToken);
            var serverShutdown = await RunConnectionAsync(waits, connection);
            await owner.CancelAndDisposeAsync();
            if (serverShutdown)
            {
                return;
            }

            await Task.Delay(_random.Next(20, 300), stopToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <returns>Whether the server said it is shutting down.</returns>
    private async Task<bool> RunConnectionAsync(TokenSlot waits, CancellationToken connection)
    {
        _metrics.OnAttempt();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_server, connection);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            if (ex is SocketException)
            {
                _metrics.OnConnectFailure();
            }

            socket.Dispose();
            return false;
        }

        _metrics.OnConnected();
        var link = new BotConnection(socket, _metrics);
        var abort = false;
        try
        {
            if (_random.Next(100) < 2)
            {
                // Connect and vanish: the server must notice and clean up.
                _metrics.OnVanished();
                return false;
            }

            link.StartReceiving(connection);
            await link.SendAsync(Frames.Hello($"bot-{_index}"), connection);
            if (!await WaitAsync(waits, Task.WhenAny(link.Welcome, link.Ended), _options.ReplyGrace, connection) && !connection.IsCancellationRequested)
            {
                _metrics.OnMissingReply();
                return false;
            }

            await PlayAsync(link, connection);
            if (link.Ended.IsCompleted || connection.IsCancellationRequested)
            {
                return link.Ended.IsCompleted && link.Ended.Result == CloseReason.ServerShutdown;
            }

            var ending = _random.Next(100);
            if (ending < 45)
            {
                _metrics.OnBye();
                await link.SendAsync(Frames.Bye, connection);
                return await ExpectGoodbyeAsync(waits, link, _options.ReplyGrace, connection);
            }

            if (ending < 75)
            {
                // Go idle: one last heartbeat, then a probe whose reply proves the server processed it.
                _metrics.OnIdle();
                var lastTouch = Stopwatch.GetTimestamp();
                await link.SendAsync(Frames.Heartbeat, connection);
                await link.SendAsync(Frames.LoadLevel(BotConnection.IdleProbeLevel), connection);
                var shutdown = await ExpectGoodbyeAsync(waits, link, _options.IdleTimeout + _options.ReplyGrace, connection);
                if (link.Ended.IsCompleted && link.Ended.Result == CloseReason.IdleTimeout && link.IdleProbeAnsweredAt != 0
                    && Stopwatch.GetElapsedTime(lastTouch, link.GoodbyeAt) < _options.IdleTimeout - TimeSpan.FromMilliseconds(1))
                {
                    _metrics.OnEarlyIdleTimeout();
                }

                return shutdown;
            }

            _metrics.OnAbruptDrop();
            abort = true;
            return false;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The server closed the connection (it says why first) or the swarm stopped.
            return link.Ended.IsCompleted && link.Ended.Result == CloseReason.ServerShutdown;
        }
        finally
        {
            await link.CloseAsync(abort);
            _metrics.OnDisconnected();
        }
    }

    private async Task PlayAsync(BotConnection link, CancellationToken connection)
    {
        var steps = _random.Next(3, 30);
        var interval = _options.IdleTimeout / 4;
        for (var step = 0; step < steps && !link.Ended.IsCompleted && !connection.IsCancellationRequested; step++)
        {
            await link.SendAsync(Frames.Heartbeat, connection);
            var action = _random.Next(100);
            if (action < 40)
            {
                await link.SendAsync(Frames.Move((uint)_random.Next()), connection);
            }
            else if (action < 60)
            {
                await link.SendAsync(Frames.LoadLevel((ushort)_random.Next(1, 1000)), connection);
            }
            else if (action < 70)
            {
                // Change of mind: the second request replaces (cancels) the first.
                await link.SendAsync(Frames.LoadLevel((ushort)_random.Next(1, 1000)), connection);
                await link.SendAsync(Frames.FindMatch((byte)_random.Next(4)), connection);
            }
            else if (action < 85)
            {
                await link.SendAsync(Frames.FindMatch((byte)_random.Next(4)), connection);
            }

            await Task.Delay(interval * (0.6 + (0.4 * _random.NextDouble())), connection).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <returns>Whether the goodbye said the server is shutting down.</returns>
    private async Task<bool> ExpectGoodbyeAsync(TokenSlot waits, BotConnection link, TimeSpan bound, CancellationToken connection)
    {
        await WaitAsync(waits, link.Ended, bound, connection);
        if (connection.IsCancellationRequested)
        {
            return false;
        }

        if (!link.Ended.IsCompleted || link.Ended.Result == CloseReason.None)
        {
            _metrics.OnMissingReply();
            return false;
        }

        return link.Ended.Result == CloseReason.ServerShutdown;
    }

    /// <returns>Whether <paramref name="task"/> completed within <paramref name="bound"/>.</returns>
    private static async Task<bool> WaitAsync(TokenSlot waits, Task task, TimeSpan bound, CancellationToken connection)
    {
        var deadline = await waits.RenewLinkedAfterAsync(bound, connection);
        try
        {
            await task.WaitAsync(deadline);
            return true;
        }
        catch (OperationCanceledException)
        {
            return task.IsCompleted;
        }
    }
}
