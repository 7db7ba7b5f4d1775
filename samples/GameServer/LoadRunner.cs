using System;
using System.Diagnostics;
using System.Globalization;
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
    public static Task<RunReport> RunInProcessAsync(RunOptions options, TextWriter output, bool interactive)
        => RunInProcessAsync(options, output, interactive, InProcessMode.Plain);

    /// <summary>
    /// Runs the server and the bots in one process as <see cref="RunInProcessAsync(RunOptions, TextWriter, bool)"/>
    /// does, with a mode's changes: its host configuration, header, progress fields and a step after the
    /// server has stopped.
    /// </summary>
    /// <param name="options">The run's options.</param>
    /// <param name="output">Where progress and the header go.</param>
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal.</param>
    /// <param name="mode">The mode's changes.</param>
    /// <returns>The report, made after every owner is disposed and <see cref="InProcessMode.AfterStopAsync"/> has run.</returns>
    public static async Task<RunReport> RunInProcessAsync(RunOptions options, TextWriter output, bool interactive, InProcessMode mode)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(mode);

        // Before the run's first owner: the live-source figure then counts every source of the run.
        using var meter = new LifetimeMeterReader();
        var server = new ServerMetrics();
        var bots = new BotMetrics();
        var started = Stopwatch.GetTimestamp();
        var builder = GameServerHost.CreateBuilder(options.ToServerOptions(), server);
        mode.ConfigureHost?.Invoke(builder);
        using var host = builder.Build();
        await host.StartAsync();
        var listener = host.Services.GetRequiredService<GameListener>();
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await output.WriteLineAsync($"{mode.Title} on {listener.LocalEndPoint}; Ctrl+C stops early");
        await output.WriteLineAsync(Settings(options, mode.Settings));

        await using (var owner = new TokenOwner())
        {
            var swarmSlot = owner.CreateSlot();
            var progressSlot = owner.CreateSlot();
            var runEnd = await owner.RenewLinkedAfterAsync(options.Duration, stopping);
            var reporter = new ProgressReporter(server, bots, meter, mode.ProgressFields);
            var progress = reporter.RunAsync(output, interactive, options.ProgressInterval, await progressSlot.RenewAsync());
            var swarm = new BotSwarm(options.ToSwarmOptions(), bots).RunAsync(listener.LocalEndPoint!, await swarmSlot.RenewAsync());

            await Task.Delay(Timeout.Infinite, runEnd).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            // Shut down while the bots are still connected: every session must say goodbye and close.
            await host.StopAsync();
            await swarmSlot.CancelAndDisposeAsync();
            await swarm.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await progressSlot.CancelAndDisposeAsync();
            await progress;
        }

        if (mode.AfterStopAsync is { } afterStop)
        {
            await afterStop(host.Services);
        }

        return RunReport.Create(server, bots, meter, options.Bots, Stopwatch.GetElapsedTime(started), listener.DrainedInTime);
    }

    /// <summary>Runs only the server until Ctrl+C, SIGTERM or <paramref name="stopToken"/>, then shuts it down gracefully.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="output">Where progress goes.</param>
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal.</param>
    /// <param name="stopToken">Stops the server as Ctrl+C does (for a host that embeds the sample, or a test).</param>
    /// <returns>The server's report.</returns>
    public static async Task<RunReport> RunServerAsync(RunOptions options, TextWriter output, bool interactive, CancellationToken stopToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        using var meter = new LifetimeMeterReader();
        var server = new ServerMetrics();
        var started = Stopwatch.GetTimestamp();
        using var host = GameServerHost.CreateBuilder(options.ToServerOptions(), server).Build();
        await host.StartAsync();
        var listener = host.Services.GetRequiredService<GameListener>();
        await output.WriteLineAsync($"GameServer listening on {listener.LocalEndPoint}; Ctrl+C or SIGTERM stops it");
        await output.WriteLineAsync(Settings(options, null, withBots: false));
        await using (var owner = new TokenOwner())
        {
            var progress = new ProgressReporter(server, null, meter).RunAsync(output, interactive, options.ProgressInterval, await owner.RenewAsync());
            await host.WaitForShutdownAsync(stopToken);
            await owner.CancelAndDisposeAsync();
            await progress;
        }

        return RunReport.Create(server, null, meter, 0, Stopwatch.GetElapsedTime(started), listener.DrainedInTime);
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
        using var meter = new LifetimeMeterReader();
        var bots = new BotMetrics();
        var started = Stopwatch.GetTimestamp();
        var endpoint = new IPEndPoint(IPAddress.Loopback, options.Port ?? 0);
        await output.WriteLineAsync($"{options.Bots} bots against {endpoint} for {options.Duration.TotalSeconds:0.#} s; Ctrl+C stops early");
        await using (var owner = new TokenOwner())
        {
            var progressSlot = owner.CreateSlot();
            var runEnd = await owner.RenewAfterAsync(options.Duration);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Stop(signal, owner));
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Stop(signal, owner));
            var progress = new ProgressReporter(null, bots, meter).RunAsync(output, interactive, options.ProgressInterval, await progressSlot.RenewAsync());
            await new BotSwarm(options.ToSwarmOptions(), bots).RunAsync(endpoint, runEnd);
            await progressSlot.CancelAndDisposeAsync();
            await progress;
        }

        return RunReport.Create(null, bots, meter, options.Bots, Stopwatch.GetElapsedTime(started), drainedInTime: true);
    }

    private static string Settings(RunOptions options, string? more, bool withBots = true)
    {
        var bots = withBots ? $"{options.Bots} bots for {options.Duration.TotalSeconds:0.#} s, " : "";
        return string.Create(CultureInfo.InvariantCulture, $"{bots}idle timeout {options.IdleTimeout.TotalSeconds:0.###} s, match timeout {options.MatchTimeout.TotalSeconds:0.###} s{more}");
    }

    private static void Stop(PosixSignalContext signal, TokenOwner owner)
    {
        signal.Cancel = true;
        _ = EndRunAsync(owner);
    }

    private static async Task EndRunAsync(TokenOwner owner) => await owner.CancelAndDisposeAsync();
}
