using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Reporting;
using GameServer.Server;
using Lifetime;

namespace GameServer.Sessions;

/// <summary>Runs every connection as a <see cref="LifetimeSession"/>.</summary>
public sealed class LifetimeSessionHandler : IConnectionHandler
{
    private readonly GameServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly TokenOwnerOptions _ownerOptions;
    private long _nextId;

    /// <summary>Creates the handler.</summary>
    /// <param name="options">The server settings.</param>
    /// <param name="metrics">The counters.</param>
    public LifetimeSessionHandler(GameServerOptions options, ServerMetrics metrics)
    {
        _options = options;
        _metrics = metrics;

        // Read once per owner at construction, so one instance serves every session.
        _ownerOptions = new TokenOwnerOptions
        {
            SourceFactory = metrics.Sources.Create,
            OnCancelException = metrics.OnCallbackException,
        };
    }

    /// <inheritdoc/>
    public Task RunSessionAsync(Socket socket, CancellationToken serverToken)
    {
        var session = new LifetimeSession(Interlocked.Increment(ref _nextId), socket, _options, _metrics, _ownerOptions, serverToken);
        return session.RunAsync();
    }
}
