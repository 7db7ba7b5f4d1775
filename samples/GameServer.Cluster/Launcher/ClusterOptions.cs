using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using GameServer.Cluster.Entities;

namespace GameServer.Cluster.Launcher;

/// <summary>The launcher's command-line options.</summary>
internal sealed class ClusterOptions
{
    public const int MinNodes = 3;
    public const int MaxNodes = 9;
    public const int MaxBots = 20_000;
    public static readonly TimeSpan MinDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan MinIdleTimeout = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromMinutes(1);

    public int Nodes { get; set; } = 3;

    public int Bots { get; set; } = 600;

    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(60);

    public Scenario Scenario { get; set; } = Scenario.Default;

    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public int Shards { get; set; } = 30;

    public string? LogDirectory { get; set; }

    /// <summary>Gets or sets the fault planted in every entity (hidden option, to watch the checks fail).</summary>
    public EntityFault Fault { get; set; }

    public static string Usage => $"""
        Usage: dotnet run -c Release --project samples/GameServer.Cluster -- [options]

        Starts node processes on loopback that form one Akka.NET cluster (player
        sessions as sharded entities), a bot swarm and a scripted scenario; checks the
        invariants on every node's event log and prints one report.
        Exit code: 0 when every invariant held, 1 when one failed, 2 for bad options.

          --nodes N          node processes, {MinNodes}..{MaxNodes} (default 3)
          --bots N           bots playing at once, 1..{MaxBots} (default 600)
          --duration T       length of the run, {MinDuration.TotalSeconds}s..{MaxDuration.TotalMinutes}m (default 60s)
          --scenario S       default: node 3 joins late, node 2 leaves, node 3 is
                             killed; steady: every node up from start to end
                             (default: default)
          --idle-timeout T   entity idle timeout before it passivates, 500ms..1m
                             (default 3s)
          --shards N         number of shards, 1..1000 (default 30)
          --log-dir PATH     where the node event logs go (default: a new
                             temporary folder)
          --help             this text

        T is a number of seconds, or a number with ms, s or m (500ms, 45s, 2m).
        Both --name value and --name=value work.
        """;

    /// <summary>Parses the options.</summary>
    /// <returns><see langword="false"/> with a <see langword="null"/> error for --help, with a message for a bad option.</returns>
    public static bool TryParse(string[] args, [NotNullWhen(true)] out ClusterOptions? options, out string? error)
    {
        var result = new ClusterOptions();
        options = null;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                return false;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"Unexpected argument '{arg}'.";
                return false;
            }

            string name;
            string? value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg;
                value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            }

            if (string.IsNullOrEmpty(value))
            {
                error = $"{name} needs a value.";
                return false;
            }

            error = name switch
            {
                "--nodes" => Integer(name, value, MinNodes, MaxNodes, n => result.Nodes = n),
                "--bots" => Integer(name, value, 1, MaxBots, n => result.Bots = n),
                "--shards" => Integer(name, value, 1, 1000, n => result.Shards = n),
                "--duration" => Time(name, value, MinDuration, MaxDuration, t => result.Duration = t),
                "--idle-timeout" => Time(name, value, MinIdleTimeout, MaxIdleTimeout, t => result.IdleTimeout = t),
                "--scenario" => value switch
                {
                    "default" => Set(() => result.Scenario = Scenario.Default),
                    "steady" => Set(() => result.Scenario = Scenario.Steady),
                    _ => $"--scenario must be default or steady, was '{value}'.",
                },
                "--log-dir" => Set(() => result.LogDirectory = value),
                "--fault" => value switch
                {
                    "none" => Set(() => result.Fault = EntityFault.None),
                    "detached-owner" => Set(() => result.Fault = EntityFault.DetachedOwner),
                    _ => $"--fault must be none or detached-owner, was '{value}'.",
                },
                _ => $"Unknown option '{name}'.",
            };
            if (error is not null)
            {
                return false;
            }
        }

        options = result;
        return true;
    }

    /// <summary>Parses a time: seconds, or a number with ms, s or m.</summary>
    public static bool TryParseTime(string text, out TimeSpan time)
    {
        time = default;
        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0)
        {
            return false;
        }

        time = TimeSpan.FromSeconds(value * scale);
        return true;
    }

    private static string? Set(Action apply)
    {
        apply();
        return null;
    }

    private static string? Integer(string name, string value, int min, int max, Action<int> apply)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            return $"{name} must be an integer from {min} to {max}, was '{value}'.";
        }

        apply(number);
        return null;
    }

    private static string? Time(string name, string value, TimeSpan min, TimeSpan max, Action<TimeSpan> apply)
    {
        if (!TryParseTime(value, out var time) || time < min || time > max)
        {
            return $"{name} must be a time from {Format(min)} to {Format(max)} (500ms, 45s, 2m), was '{value}'.";
        }

        apply(time);
        return null;
    }

    private static string Format(TimeSpan time) => time.TotalSeconds < 1
        ? FormattableString.Invariant($"{time.TotalMilliseconds:0}ms")
        : time.TotalSeconds < 60 ? FormattableString.Invariant($"{time.TotalSeconds:0}s") : FormattableString.Invariant($"{time.TotalMinutes:0}m");
}
