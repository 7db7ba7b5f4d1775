using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using GameServer.Akka.Reporting;
using GameServer.Akka.Sessions;
using GameServer.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GameServer.Akka;

/// <summary>
/// Runs the plain sample's in-process run (<see cref="LoadRunner.RunInProcessAsync(RunOptions, TextWriter, bool, InProcessMode)"/>)
/// with <see cref="AkkaSessionHandler"/> plugged in as the connection handler, crash counts on the progress
/// line, the actor system's termination after the server has drained, and the Akka part of the report.
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
        var akka = new AkkaMetrics();
        var terminated = false;
        var mode = new InProcessMode
        {
            Title = "GameServer (Akka mode)",
            Settings = string.Create(CultureInfo.InvariantCulture, $", {options.Akka.CrashRate:0.##} crashes/s"),
            ConfigureHost = builder =>
            {
                builder.Services.AddSingleton(akka);
                builder.Services.AddSingleton(options.Akka);
                builder.Services.Replace(ServiceDescriptor.Singleton<IConnectionHandler, AkkaSessionHandler>());
            },
            ProgressFields = () =>
            [
                new KeyValuePair<string, long>("crashes", akka.CrashesInjected),
                new KeyValuePair<string, long>("restarts", akka.Restarts),
            ],

            // Every session actor has stopped (the listener drained); the supervisor goes with the system.
            AfterStopAsync = async services => terminated = await ((AkkaSessionHandler)services.GetRequiredService<IConnectionHandler>()).TerminateAsync(),
        };

        var run = await LoadRunner.RunInProcessAsync(options.Run, output, interactive, mode);
        return new AkkaRunReport(run, AkkaReport.Create(akka, run.Server!, options.Akka.CrashRate, terminated));
    }
}
