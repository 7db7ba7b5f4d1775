using System;
using System.Collections.Generic;
using GameServer.CommandLine;

namespace GameServer.Akka;

/// <summary>The command-line options of an Akka-mode run: the plain sample's shared options, plus <c>--crash-rate</c>.</summary>
public sealed class AkkaRunOptions
{
    /// <summary>The most crashes per second <c>--crash-rate</c> accepts.</summary>
    public const double MaxCrashRate = 100_000;

    /// <summary>Gets the plain sample's options (bots, duration, timeouts, port, progress, metrics).</summary>
    public RunOptions Run { get; init; } = new();

    /// <summary>Gets the Akka mode's settings.</summary>
    public AkkaModeOptions Akka { get; init; } = new();

    /// <summary>Creates the Akka mode's command line, which fills <paramref name="target"/>.</summary>
    /// <param name="target">The options to fill.</param>
    /// <returns>The parser; its <see cref="CommandLineParser.Usage"/> is the mode's usage text.</returns>
    public static CommandLineParser CreateParser(AkkaRunOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var options = new List<CommandLineOption>
        {
            CommandLineOption.Number("--crash-rate", "R", "crashes per second injected (default 25; 0 = none)", 0, MaxCrashRate, value => target.Akka.CrashRate = value),
        };
        options.AddRange(RunOptions.CreateSharedOptions(target.Run));
        return new CommandLineParser(
            "dotnet run -c Release --project samples/GameServer.Akka --",
            """
            Server and bots in one process; each session is an actor under a OneForOne
            supervisor, and crashes injected into random sessions make it restart them.
            """,
            options,
            RunOptions.UsageFooter);
    }
}
