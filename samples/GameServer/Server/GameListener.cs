using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Reporting;
using Lifetime;
using Microsoft.Extensions.Hosting;

namespace GameServer.Server;

/// <summary>
/// The hosted service that accepts loopback TCP connections and hands each to the
/// <see cref="IConnectionHandler"/>. Its server token comes from a <see cref="TokenOwner"/> bound to the
/// host's <see cref="IHostApplicationLifetime.ApplicationStopping"/>, so Ctrl+C or SIGTERM stops accepting
/// and ends every session (they link their lifetimes to it); <see cref="StopAsync"/> then waits for the
/// sessions to say goodbye and close.
/// </summary>
public sealed class GameListener : IHostedService, IAsyncDisposable
{
    private readonly GameServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly IConnectionHandler _handler;
    private readonly TokenOwner _owner;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private CancellationToken _serverToken;
    private int _running;
    private int _stopping;

    /// <summary>Creates the listener (the host does, through dependency injection).</summary>
    /// <param name="options">The server settings.</param>
    /// <param name="metrics">The counters.</param>
    /// <param name="handler">Runs each session.</param>
    /// <param name="lifetime">The host lifetime whose stopping token ends the server.</param>
    public GameListener(GameServerOptions options, ServerMetrics metrics, IConnectionHandler handler, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        _options = options;
        _metrics = metrics;
        _handler = handler;
        _owner = new TokenOwner(new TokenOwnerOptions { OuterToken = lifetime.ApplicationStopping });
    }

    /// <summary>Gets the bound endpoint once started (with the real port when <see cref="GameServerOptions.Port"/> is 0).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Gets whether every session closed within the shutdown timeout.</summary>
    public bool DrainedInTime { get; private set; }

    /// <summary>Binds 127.0.0.1 and starts accepting.</summary>
    /// <param name="cancellationToken">The host's start token.</param>
    /// <returns>A task that completes once listening.</returns>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _serverToken = await _owner.RenewAsync();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, _options.Port));
            socket.Listen(_options.Backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync(socket);
    }

    /// <summary>
    /// Stops accepting, ends the server token (every session says goodbye) and waits until every session
    /// has closed or <paramref name="cancellationToken"/> (the host's shutdown timeout) fires.
    /// </summary>
    /// <param name="cancellationToken">The host's shutdown token.</param>
    /// <returns>A task that completes when the sessions are drained or the timeout fired.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Usually already done: the owner is bound to ApplicationStopping. Idempotent either way.
        await _owner.DisposeAsync();
        _socket?.Dispose();
        await _acceptLoop;

        // Full fence on both sides, so either the last session or this line sees the other's write.
        Interlocked.Exchange(ref _stopping, 1);
        if (Volatile.Read(ref _running) == 0)
        {
            _drained.TrySetResult();
        }

        try
        {
            await _drained.Task.WaitAsync(cancellationToken);
            DrainedInTime = true;
        }
        catch (OperationCanceledException)
        {
            DrainedInTime = false;
        }
    }

    /// <summary>Releases the socket and the owner if the host was never stopped.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        await _owner.DisposeAsync();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_serverToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException && _serverToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection reset while still in the backlog: not ours to worry about.
                continue;
            }

            client.NoDelay = true;
            Interlocked.Increment(ref _running);
            _ = Task.Run(() => RunSessionAsync(client));
        }
    }

    private async Task RunSessionAsync(Socket client)
    {
        try
        {
            await _handler.RunSessionAsync(client, _serverToken);
        }
        catch (Exception ex)
        {
            _metrics.OnSessionFault(ex);
            client.Dispose();
        }
        finally
        {
            if (Interlocked.Decrement(ref _running) == 0 && Volatile.Read(ref _stopping) == 1)
            {
                _drained.TrySetResult();
            }
        }
    }
}
