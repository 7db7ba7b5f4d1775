using System;
using System.Collections.Generic;
using System.Globalization;

namespace GameServer.Akka;

/// <summary>The command-line options of an Akka-mode run: the plain sample's, plus <c>--crash-rate</c>.</summary>
public sealed class AkkaRunOptions
{
    /// <summary>Gets the plain sample's options (bots, duration, timeouts, port, progress).</summary>
    public RunOptions Run { get; init; } = new();

    /// <summary>Gets the Akka mode's settings.</summary>
    public AkkaModeOptions Akka { get; init; } = new();

    /// <summary>Gets the usage text.</summary>
    public static string Usage => """
        Usage: dotnet run --project samples/GameServer.Akka -- [options]

        Server and bots in one process; each session is an actor under a OneForOne supervisor, and crashes
        are injected into random sessions, which the supervisor restarts.

          --crash-rate R           crashes injected per second into random live sessions (default 25; 0 = none)
          --bots N                 bots running at once (default 300)
          --duration T             how long the bots play (default 10s)
          --port P                 loopback port; 0 = ephemeral (default 0)
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
    public static bool TryParse(string[] args, out AkkaRunOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var akka = new AkkaModeOptions();
        var rest = new List<string>(args.Length);
        options = new AkkaRunOptions { Akka = akka };
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] != "--crash-rate")
            {
                rest.Add(args[i]);
                continue;
            }

            if (i + 1 >= args.Length
                || !double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate)
                || rate is < 0 or > 100_000 || double.IsNaN(rate))
            {
                error = "--crash-rate needs a number of crashes per second from 0 to 100000.";
                return false;
            }

            akka.CrashRate = rate;
        }

        if (!RunOptions.TryParse(rest.ToArray(), out var run, out error))
        {
            return false;
        }

        if (run.Mode != RunMode.All)
        {
            error = "The Akka mode runs server and bots in one process: leave out --mode.";
            return false;
        }

        options = new AkkaRunOptions { Run = run, Akka = akka };
        return true;
    }
}
