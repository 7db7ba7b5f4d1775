using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Bots;
using GameServer.Reporting;
using GameServer.Server;
using Lifetime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GameServer;

/// <summary>Runs the three modes and returns their reports. The run's own timing uses Lifetime owners too.</summary>
public static class LoadRunner
{
    /// <summary>
    /// Runs the server and the bots in one process: the bots play for <see cref="RunOptions.Duration"/>
    /// (or until Ctrl+C / SIGTERM), then the server shuts down gracefully while they are still connected,
    /// then the remaining bots stop.
    /// </summary>
    /// <param name="options">The run's options.</param>
    /// <param name="output">Where progress and the header go.</param>
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal.</param>
    /// <returns>The report, made after every owner is disposed.</returns>
    public static async Task<RunReport> RunInProcessAsync(RunOptions options, TextWriter output, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var server = new ServerMetrics();
        var bots = new BotMetrics();
        var started = Stopwatch.GetTimestamp();
        using var host = GameServerHost.CreateBuilder(options.ToServerOptions(), server).Build();
        await host.StartAsync();
        var listener = host.Services.GetRequiredService<GameListener>();
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await output.WriteLineAsync($"GameServer on {listener.LocalEndPoint}: {options.Bots} bots for {options.Duration.TotalSeconds:0.#} s, idle timeout {options.IdleTimeout.TotalSeconds:0.###} s (Ctrl+C stops early)");

        await using (var owner = new TokenOwner(new TokenOwnerOptions { SourceFactory = bots.Sources.Create }))
        {
            var swarmSlot = owner.CreateSlot();
            var progressSlot = owner.CreateSlot();
            var runEnd = await owner.RenewLinkedAfterAsync(options.Duration, stopping);
            var progress = new ProgressReporter(server, bots).RunAsync(output, interactive, options.ProgressInterval, await progressSlot.RenewAsync());
            var swarm = new BotSwarm(options.ToSwarmOptions(), bots).RunAsync(listener.LocalEndPoint!, await swarmSlot.RenewAsync());

            await Task.Delay(Timeout.Infinite, runEnd).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            // Shut down while the bots are still connected: every session must say goodbye and close.
            await host.StopAsync();
            await swarmSlot.CancelAndDisposeAsync();
            await swarm.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await progressSlot.CancelAndDisposeAsync();
            await progress;
        }

        return RunReport.Create(server, bots, options.Bots, Stopwatch.GetElapsedTime(started), listener.DrainedInTime);
    }

    /// <summary>Runs only the server until Ctrl+C or SIGTERM, then shuts it down gracefully.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="output">Where progress goes.</param>
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal.</param>
    /// <returns>The server's report.</returns>
    public static async Task<RunReport> RunServerAsync(RunOptions options, TextWriter output, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var server = new ServerMetrics();
        var started = Stopwatch.GetTimestamp();
        using var host = GameServerHost.CreateBuilder(options.ToServerOptions(), server).Build();
        await host.StartAsync();
        var listener = host.Services.GetRequiredService<GameListener>();
        await output.WriteLineAsync($"GameServer listening on {listener.LocalEndPoint}; Ctrl+C or SIGTERM shuts it down.");
        await using (var owner = new TokenOwner(new TokenOwnerOptions { SourceFactory = server.Sources.Create }))
        {
            var progress = new ProgressReporter(server, null).RunAsync(output, interactive, options.ProgressInterval, await owner.RenewAsync());
            await host.WaitForShutdownAsync();
            await owner.CancelAndDisposeAsync();
            await progress;
        }

        return RunReport.Create(server, null, 0, Stopwatch.GetElapsedTime(started), listener.DrainedInTime);
    }

    /// <summary>Runs only the bots against a server on <see cref="RunOptions.Port"/> for the duration, or until Ctrl+C / SIGTERM.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="output">Where progress goes.</param>
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal.</param>
    /// <returns>The bots' report.</returns>
    public static async Task<RunReport> RunBotsAsync(RunOptions options, TextWriter output, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var bots = new BotMetrics();
        var started = Stopwatch.GetTimestamp();
        var endpoint = new IPEndPoint(IPAddress.Loopback, options.Port ?? 0);
        await output.WriteLineAsync($"{options.Bots} bots against {endpoint} for {options.Duration.TotalSeconds:0.#} s (Ctrl+C stops early)");
        await using (var owner = new TokenOwner(new TokenOwnerOptions { SourceFactory = bots.Sources.Create }))
        {
            var progressSlot = owner.CreateSlot();
            var runEnd = await owner.RenewAfterAsync(options.Duration);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Stop(signal, owner));
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Stop(signal, owner));
            var progress = new ProgressReporter(null, bots).RunAsync(output, interactive, options.ProgressInterval, await progressSlot.RenewAsync());
            await new BotSwarm(options.ToSwarmOptions(), bots).RunAsync(endpoint, runEnd);
            await progressSlot.CancelAndDisposeAsync();
            await progress;
        }

        return RunReport.Create(null, bots, options.Bots, Stopwatch.GetElapsedTime(started), drainedInTime: true);
    }

    private static void Stop(PosixSignalContext signal, TokenOwner owner)
    {
        signal.Cancel = true;
        _ = EndRunAsync(owner);
    }

    private static async Task EndRunAsync(TokenOwner owner) => await owner.CancelAndDisposeAsync();
}
