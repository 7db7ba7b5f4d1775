using System;
using System.Collections.Generic;
using GameServer.Bots;
using GameServer.CommandLine;
using GameServer.Protocol;
using GameServer.Server;

namespace GameServer;

/// <summary>The command-line options of a run, shared by the plain and the Akka mode.</summary>
public sealed class RunOptions
{
    /// <summary>The most bots a run accepts.</summary>
    public const int MaxBots = 100_000;

    /// <summary>The lines after the options in the usage text of both modes.</summary>
    public const string UsageFooter = """
        T is a number of seconds, or a number with ms, s or m (500ms, 10s, 2m); N and P
        are whole numbers. Both --name value and --name=value work.
        Exit code: 0 when every invariant held, 1 when one failed, 2 for bad options.
        """;

    /// <summary>Gets or sets what runs.</summary>
    /// <value><see cref="RunMode.All"/> by default.</value>
    public RunMode Mode { get; set; }

    /// <summary>Gets or sets how many bots run.</summary>
    /// <value>300 by default.</value>
    public int Bots { get; set; } = 300;

    /// <summary>Gets or sets how long the bots play before the server shuts down (all mode) or they stop (bots mode).</summary>
    /// <value>10 seconds by default.</value>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the loopback port.</summary>
    /// <value>0 (ephemeral) by default in all mode; server mode uses 7777 when none is given.</value>
    public int? Port { get; set; }

    /// <summary>Gets or sets the session idle timeout.</summary>
    /// <value>2 seconds by default.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets the matchmaking timeout.</summary>
    /// <value>1 second by default.</value>
    public TimeSpan MatchTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the largest frame body accepted.</summary>
    /// <value>1024 by default.</value>
    public int MaxFrameSize { get; set; } = FrameCodec.DefaultMaxFrameSize;

    /// <summary>Gets or sets the time between plain progress lines when the output is not a terminal.</summary>
    /// <value>2 seconds by default.</value>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets whether the <c>Lifetime</c> meter is exported to the console through OpenTelemetry.</summary>
    /// <value><see langword="false"/> by default.</value>
    public bool Metrics { get; set; }

    /// <summary>Gets or sets how often <see cref="Metrics"/> exports.</summary>
    /// <value>5 seconds by default.</value>
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Creates the plain sample's command line, which fills <paramref name="target"/>.</summary>
    /// <param name="target">The options to fill.</param>
    /// <returns>The parser; its <see cref="CommandLineParser.Usage"/> is the sample's usage text.</returns>
    public static CommandLineParser CreateParser(RunOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var options = new List<CommandLineOption>
        {
            CommandLineOption.Choice<RunMode>("--mode", "all (default): server and bots in one process", value => target.Mode = value),
        };
        options.AddRange(CreateSharedOptions(target));
        return new CommandLineParser(
            "dotnet run -c Release --project samples/GameServer --",
            """
            --mode server serves until Ctrl+C or SIGTERM (on port 7777 unless --port says
            otherwise); --mode bots runs the bots against a server on --port.
            """,
            options,
            UsageFooter);
    }

    /// <summary>Creates the options that every mode of the sample takes: bots, timing, port, limits, progress and metrics.</summary>
    /// <param name="target">The options to fill.</param>
    /// <returns>The options, in usage order.</returns>
    public static IEnumerable<CommandLineOption> CreateSharedOptions(RunOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        yield return CommandLineOption.Int("--bots", "N", "bots running at once (default 300)", 1, MaxBots, value => target.Bots = value);
        yield return CommandLineOption.Time("--duration", "how long the bots play (default 10s)", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(24), value => target.Duration = value);
        yield return CommandLineOption.Int("--port", "P", "loopback port; 0 = any free one (default 0)", 0, 65_535, value => target.Port = value);
        yield return CommandLineOption.Time("--idle-timeout", "session idle timeout (default 2s)", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), value => target.IdleTimeout = value);
        yield return CommandLineOption.Time("--match-timeout", "matchmaking timeout (default 1s)", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1), value => target.MatchTimeout = value);
        yield return CommandLineOption.Int("--max-frame", "N", "largest frame body, in bytes (default 1024)", 64, 1 << 20, value => target.MaxFrameSize = value);
        yield return CommandLineOption.Time("--progress-interval", "progress line period when redirected (default 2s)", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), value => target.ProgressInterval = value);
        yield return CommandLineOption.Flag("--metrics", "export the Lifetime meter via OpenTelemetry", () => target.Metrics = true);
        yield return CommandLineOption.Time("--metrics-interval", "time between --metrics exports (default 5s)", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), value => target.MetricsInterval = value);
    }

    /// <summary>Checks what no single option can: bots mode needs the server's port.</summary>
    /// <returns>What is wrong, or <see langword="null"/>.</returns>
    public string? Validate()
        => Mode == RunMode.Bots && Port is null or 0 ? "--mode bots needs the server's --port (1 to 65535)." : null;

    /// <summary>Gets the server settings of this run.</summary>
    /// <returns>New server settings.</returns>
    public GameServerOptions ToServerOptions() => new()
    {
        Port = Port ?? (Mode == RunMode.Server ? 7777 : 0),
        IdleTimeout = IdleTimeout,
        MatchTimeout = MatchTimeout,
        MaxFrameSize = MaxFrameSize,
    };

    /// <summary>Gets the swarm settings of this run.</summary>
    /// <returns>New swarm settings.</returns>
    public BotSwarmOptions ToSwarmOptions() => new()
    {
        Bots = Bots,
        IdleTimeout = IdleTimeout,
        RampUp = TimeSpan.FromMilliseconds(Math.Min(Duration.TotalMilliseconds / 5, Math.Max(500, Bots))),
    };
}
