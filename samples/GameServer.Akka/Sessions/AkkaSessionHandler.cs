using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Configuration;
using GameServer.Akka.Reporting;
using GameServer.Protocol;
using GameServer.Reporting;
using GameServer.Server;
using Lifetime.Akka;

namespace GameServer.Akka.Sessions;

/// <summary>
/// Runs every connection as a session actor under one supervisor, in an actor system of its own with the
/// Lifetime.Akka extension installed. The owners the extension creates publish to the <c>Lifetime</c> meter
/// like every other, so the report's leak check (live sources at exit) covers the actors too.
/// </summary>
public sealed class AkkaSessionHandler : IConnectionHandler, IAsyncDisposable
{
    private static readonly Config s_config = ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          # Frames and token reports that reach a session after it stopped are expected, not news.
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        """);

    private readonly GameServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly AkkaMetrics _akka;
    private readonly AkkaModeOptions _modeOptions;
    private readonly ActorSystem _system;
    private readonly IActorRef _supervisor;
    private long _nextId;

    /// <summary>Creates the actor system, installs the extension and starts the supervisor.</summary>
    /// <param name="options">The server settings.</param>
    /// <param name="metrics">The server's counters.</param>
    /// <param name="akka">The Akka mode's counters.</param>
    /// <param name="modeOptions">The Akka mode's settings.</param>
    public AkkaSessionHandler(GameServerOptions options, ServerMetrics metrics, AkkaMetrics akka, AkkaModeOptions modeOptions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(modeOptions);
        _options = options;
        _metrics = metrics;
        _akka = akka;
        _modeOptions = modeOptions;
        _system = ActorSystem.Create("game-server", s_config);

        // Before any actor that calls GetTokenOwner() exists: Akka caches each actor type's plugin pipeline.
        ActorTokenOwners.Install(_system);
        _supervisor = _system.ActorOf(SessionSupervisor.Props(options, metrics, akka, modeOptions.CrashRate), "sessions");
    }

    /// <summary>Gets whether the actor system has terminated.</summary>
    public bool Terminated => _system.WhenTerminated.IsCompleted;

    /// <inheritdoc/>
    public async Task RunSessionAsync(Socket socket, CancellationToken serverToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var connection = new SessionConnection(Interlocked.Increment(ref _nextId), socket, serverToken, _options);
        _metrics.OnSessionStarted();
        try
        {
            _supervisor.Tell(new SessionSupervisor.StartSession(connection));
            await connection.ActorStopped;

            // Normally the actor closed the session before stopping. If its supervisor stopped it instead
            // (restarted too often, or a bug), close it here: the server ended the session, so say so.
            if (connection.Close(CloseReason.ServerShutdown, "The session stopped."))
            {
                _akka.OnStoppedBySupervisor();
            }

            await connection.ReleaseAsync();
        }
        finally
        {
            _metrics.OnSessionClosed(connection.Reason == CloseReason.None ? CloseReason.ClientDisconnected : connection.Reason);
        }
    }

    /// <summary>Injects crashes into random live sessions now, whatever the crash rate.</summary>
    /// <param name="count">How many crashes.</param>
    public void InjectCrashes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _supervisor.Tell(new SessionSupervisor.InjectCrashes(count));
    }

    /// <summary>Terminates the actor system, after the server has drained its sessions.</summary>
    /// <returns>Whether it terminated within <see cref="AkkaModeOptions.TerminateTimeout"/>.</returns>
    public async Task<bool> TerminateAsync()
    {
        var terminate = _system.Terminate();
        await terminate.WaitAsync(_modeOptions.TerminateTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return terminate.IsCompleted;
    }

    /// <summary>Terminates the actor system if <see cref="TerminateAsync"/> was not called; idempotent.</summary>
    /// <returns>A task that completes when it has terminated or the timeout passed.</returns>
    public async ValueTask DisposeAsync() => await TerminateAsync();
}
