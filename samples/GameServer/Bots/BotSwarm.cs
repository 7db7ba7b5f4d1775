using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace GameServer.Bots;

/// <summary>
/// Runs <see cref="BotSwarmOptions.Bots"/> bots against a server until a stop token fires or the server
/// says it is shutting down. Each bot logs in, plays (moves, level loads, matchmaking, often replacing a
/// request in flight), heartbeats, and ends each connection by leaving, going idle until the idle
/// timeout closes it, dropping abruptly, or (rarely) connecting and vanishing; then it reconnects.
/// </summary>
public sealed class BotSwarm
{
    private readonly BotSwarmOptions _options;
    private readonly BotMetrics _metrics;

    /// <summary>Creates a swarm.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="metrics">The counters to fill.</param>
    public BotSwarm(BotSwarmOptions options, BotMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
    }

    /// <summary>Runs every bot until <paramref name="stopToken"/> fires or the server shuts down.</summary>
    /// <param name="server">A loopback endpoint.</param>
    /// <param name="stopToken">Stops the swarm.</param>
    /// <returns>A task that completes when every bot has stopped and released its owner.</returns>
    /// <exception cref="ArgumentException"><paramref name="server"/> is not a loopback address.</exception>
    public Task RunAsync(IPEndPoint server, CancellationToken stopToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (!IPAddress.IsLoopback(server.Address))
        {
            throw new ArgumentException("The bots only talk to loopback addresses.", nameof(server));
        }

        var bots = new Task[_options.Bots];
        var spacing = _options.Bots > 1 ? _options.RampUp / _options.Bots : TimeSpan.Zero;
        for (var i = 0; i < bots.Length; i++)
        {
            var bot = new Bot(i, server, _options, _metrics);
            bots[i] = bot.RunAsync(spacing * i, stopToken);
        }

        return Task.WhenAll(bots);
    }
}
