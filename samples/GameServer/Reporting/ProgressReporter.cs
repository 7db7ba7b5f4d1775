using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Bots;
using GameServer.Protocol;
using Lifetime;

namespace GameServer.Reporting;

/// <summary>
/// Prints the live progress: one line rewritten in place on a terminal, or plain periodic lines when the
/// output is redirected.
/// </summary>
public sealed class ProgressReporter
{
    private readonly ServerMetrics? _server;
    private readonly BotMetrics? _bots;
    private readonly Func<string>? _suffix;
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>Creates a reporter; the clock starts now.</summary>
    /// <param name="server">The server's counters, if any.</param>
    /// <param name="bots">The bots' counters, if any.</param>
    /// <param name="suffix">More counters to append to each line (for example a mode's own), if any.</param>
    public ProgressReporter(ServerMetrics? server, BotMetrics? bots, Func<string>? suffix = null)
    {
        _server = server;
        _bots = bots;
        _suffix = suffix;
    }

    /// <summary>Prints until <paramref name="stopToken"/> fires.</summary>
    /// <param name="output">Where to print.</param>
    /// <param name="interactive">Rewrite one line in place (a terminal) instead of printing lines.</param>
    /// <param name="interval">The time between plain lines; a terminal line refreshes every 250 ms.</param>
    /// <param name="stopToken">Stops the reporter.</param>
    /// <returns>A task that completes after the last line is printed.</returns>
    public async Task RunAsync(TextWriter output, bool interactive, TimeSpan interval, CancellationToken stopToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var timer = new PeriodicTimer(interactive ? TimeSpan.FromMilliseconds(250) : interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopToken))
            {
                if (interactive)
                {
                    await output.WriteAsync("\r" + Line() + "   ");
                }
                else
                {
                    await output.WriteLineAsync(Line());
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        if (interactive)
        {
            await output.WriteLineAsync("\r" + Line() + "   ");
        }
    }

    /// <summary>Formats the current progress line.</summary>
    /// <returns>The line.</returns>
    public string Line()
    {
        var elapsed = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var line = string.Create(CultureInfo.InvariantCulture, $"[{elapsed,6:F1}s]");
        if (_bots is { } b)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" bots online {b.Connected,5:N0} | logins {b.Logins:N0}");
        }

        if (_server is { } s)
        {
            var timeouts = s.ClosedBy(CloseReason.IdleTimeout) + s.OperationsCancelled(TokenEndCause.TimedOut);
            line += string.Create(CultureInfo.InvariantCulture, $" | sessions {s.ActiveSessions,5:N0} (peak {s.PeakSessions:N0}, served {s.SessionsAccepted:N0}) | renews {s.Renews:N0} | timeouts {timeouts:N0} | live sources {s.Sources.Live:N0}");
        }

        return _suffix is null ? line : line + _suffix();
    }
}
