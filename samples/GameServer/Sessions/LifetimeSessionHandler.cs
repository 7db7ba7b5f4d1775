using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Reporting;
using GameServer.Server;

namespace GameServer.Sessions;

/// <summary>Runs every connection as a <see cref="LifetimeSession"/>.</summary>
public sealed class LifetimeSessionHandler : IConnectionHandler
{
    private readonly GameServerOptions _options;
    private readonly ServerMetrics _metrics;
    private long _nextId;

    /// <summary>Creates the handler.</summary>
    /// <param name="options">The server settings.</param>
    /// <param name="metrics">The counters.</param>
    public LifetimeSessionHandler(GameServerOptions options, ServerMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
    }

    /// <inheritdoc/>
    public Task RunSessionAsync(Socket socket, CancellationToken serverToken)
    {
        var session = new LifetimeSession(Interlocked.Increment(ref _nextId), socket, _options, _metrics, serverToken);
        return session.RunAsync();
    }
}
