using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Akka.Reporting;
using GameServer.Akka.Sessions;
using GameServer.Bots;
using GameServer.Reporting;
using GameServer.Server;
using Lifetime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace GameServer.Akka;

/// <summary>
/// Runs the plain sample's server, bots and report with <see cref="AkkaSessionHandler"/> plugged in as the
/// connection handler: the same run as <see cref="LoadRunner.RunInProcessAsync"/>, plus crash injection,
/// the actor system's termination and the Akka part of the report.
/// </summary>
public static class AkkaLoadRunner
{
    /// <summary>
    /// Runs the server (sessions as actors) and the bots in one process: the bots play for the duration (or
    /// until Ctrl+C / SIGTERM) while crashes are injected, then the server shuts down gracefully while they
    /// are still connected, then the actor system terminates.
    /// </summary>
    /// <param name="options">The run's options.</param>
    /// <param name="output">Where progress and the header go.</param>
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal.</param>
    /// <returns>The report, made after every owner is disposed and the actor system has terminated.</returns>
    public static async Task<AkkaRunReport> RunInProcessAsync(AkkaRunOptions options, TextWriter output, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var run = options.Run;
        var server = new ServerMetrics();
        var bots = new BotMetrics();
        var akka = new AkkaMetrics();
        var started = Stopwatch.GetTimestamp();
        var builder = GameServerHost.CreateBuilder(run.ToServerOptions(), server);
        builder.Services.AddSingleton(akka);
        builder.Services.AddSingleton(options.Akka);
        builder.Services.Replace(ServiceDescriptor.Singleton<IConnectionHandler, AkkaSessionHandler>());
        using var host = builder.Build();
        await host.StartAsync();
        var listener = host.Services.GetRequiredService<GameListener>();
        var handler = (AkkaSessionHandler)host.Services.GetRequiredService<IConnectionHandler>();
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await output.WriteLineAsync($"GameServer (Akka mode) on {listener.LocalEndPoint}: {run.Bots} bots for {run.Duration.TotalSeconds:0.#} s, idle timeout {run.IdleTimeout.TotalSeconds:0.###} s, {options.Akka.CrashRate:0.##} crashes/s (Ctrl+C stops early)");

        await using (var owner = new TokenOwner(new TokenOwnerOptions { SourceFactory = bots.Sources.Create }))
        {
            var swarmSlot = owner.CreateSlot();
            var progressSlot = owner.CreateSlot();
            var runEnd = await owner.RenewLinkedAfterAsync(run.Duration, stopping);
            var reporter = new ProgressReporter(server, bots, () => $" | crashes {akka.CrashesInjected:N0} | restarts {akka.Restarts:N0}");
            var progress = reporter.RunAsync(output, interactive, run.ProgressInterval, await progressSlot.RenewAsync());
            var swarm = new BotSwarm(run.ToSwarmOptions(), bots).RunAsync(listener.LocalEndPoint!, await swarmSlot.RenewAsync());

            await Task.Delay(Timeout.Infinite, runEnd).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            // Shut down while the bots are still connected: every session must say goodbye and close.
            await host.StopAsync();
            await swarmSlot.CancelAndDisposeAsync();
            await swarm.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await progressSlot.CancelAndDisposeAsync();
            await progress;
        }

        // Every session actor has stopped (the listener drained); the supervisor goes with the system.
        var terminated = await handler.TerminateAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new AkkaRunReport(
            RunReport.Create(server, bots, run.Bots, elapsed, listener.DrainedInTime),
            AkkaReport.Create(akka, server, options.Akka.CrashRate, terminated));
    }
}
