using System;
using System.Globalization;
using GameServer.Bots;
using GameServer.Protocol;
using GameServer.Server;

namespace GameServer;

/// <summary>The command-line options of a run.</summary>
public sealed class RunOptions
{
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

    /// <summary>Gets the usage text.</summary>
    public static string Usage => """
        Usage: dotnet run --project samples/GameServer -- [options]

          --mode all|server|bots   all: server + bots in one process (default); server: serve until Ctrl+C;
                                   bots: run the swarm against a server on --port
          --bots N                 bots running at once (default 300)
          --duration T             how long the bots play (default 10s)
          --port P                 loopback port; 0 = ephemeral (default 0; server mode 7777)
          --idle-timeout T         session idle timeout, re-armed by heartbeats (default 2s)
          --match-timeout T        matchmaking timeout (default 1s)
          --max-frame N            largest frame body accepted, in bytes (default 1024)
          --progress-interval T    time between progress lines when output is redirected (default 2s)
          --help                   this text

        T is a number of seconds, or a number with ms, s or m (500ms, 10s, 2m).
        Exit code: 0 when every invariant held, 1 when one failed, 2 for bad options.
        """;

    /// <summary>Parses command-line arguments.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="options">The options, when valid.</param>
    /// <param name="error">What was wrong, or "help" when help was asked for.</param>
    /// <returns>Whether the arguments were valid.</returns>
    public static bool TryParse(string[] args, out RunOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = new RunOptions();
        options = parsed;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h" or "-?")
            {
                error = "help";
                return false;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                return false;
            }

            var value = args[++i];
            var ok = name switch
            {
                "--mode" => Enum.TryParse(value, ignoreCase: true, out RunMode mode) && Enum.IsDefined(mode) && Set(() => parsed.Mode = mode),
                "--bots" => TryInt(value, 1, 100_000, out var bots) && Set(() => parsed.Bots = bots),
                "--duration" => TryTime(value, out var duration) && duration > TimeSpan.Zero && Set(() => parsed.Duration = duration),
                "--port" => TryInt(value, 0, 65_535, out var port) && Set(() => parsed.Port = port),
                "--idle-timeout" => TryTime(value, out var idle) && idle >= TimeSpan.FromMilliseconds(100) && Set(() => parsed.IdleTimeout = idle),
                "--match-timeout" => TryTime(value, out var match) && match >= TimeSpan.FromMilliseconds(10) && Set(() => parsed.MatchTimeout = match),
                "--max-frame" => TryInt(value, 64, 1 << 20, out var max) && Set(() => parsed.MaxFrameSize = max),
                "--progress-interval" => TryTime(value, out var interval) && interval >= TimeSpan.FromMilliseconds(100) && Set(() => parsed.ProgressInterval = interval),
                _ => false,
            };
            if (!ok)
            {
                error = $"Bad option or value: {name} {value}";
                return false;
            }
        }

        if (options.Mode == RunMode.Bots && options.Port is null or 0)
        {
            error = "--mode bots needs the server's --port.";
            return false;
        }

        return true;
    }

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

    private static bool Set(Action assign)
    {
        assign();
        return true;
    }

    private static bool TryInt(string text, int min, int max, out int value)
        => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool TryTime(string text, out TimeSpan value)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        var ok = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0 && amount * unit <= 86_400;
        value = ok ? TimeSpan.FromSeconds(amount * unit) : TimeSpan.Zero;
        return ok;
    }
}
