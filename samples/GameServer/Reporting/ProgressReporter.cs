using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Bots;
using GameServer.Protocol;
using Lifetime;

namespace GameServer.Reporting;

/// <summary>
/// Prints the live progress: one line rewritten in place on a terminal, or plain periodic lines when the
/// output is redirected. A line never exceeds <see cref="MaxWidth"/> columns: numbers of 10,000 and more are
/// shortened (12.3k, 4.56M), and each mode shows only the fields that fit.
/// </summary>
public sealed class ProgressReporter
{
    /// <summary>The widest a progress line gets, so that it fits an 80-column terminal with the cursor after it.</summary>
    public const int MaxWidth = 79;

    private static readonly string[] s_suffixes = ["k", "M", "G", "T", "P"];
    private static readonly (string Format, int Width)[] s_formats = [("0.00", 4), ("0.0", 4), ("0", 3)];
    private readonly ServerMetrics? _server;
    private readonly BotMetrics? _bots;
    private readonly LifetimeMeterReader _meter;
    private readonly Func<IEnumerable<KeyValuePair<string, long>>>? _modeFields;
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>Creates a reporter; the clock starts now.</summary>
    /// <param name="server">The server's counters, if a server runs in this process.</param>
    /// <param name="bots">The bots' counters, if bots run in this process.</param>
    /// <param name="meter">The <c>Lifetime</c> meter's figures (renews, live sources).</param>
    /// <param name="modeFields">
    /// A mode's own fields, label and value, shown instead of the server's <c>served</c> and <c>timeouts</c>
    /// (two fields, labels of up to 8 letters together 15 at most); <see langword="null"/> for the plain mode.
    /// </param>
    public ProgressReporter(ServerMetrics? server, BotMetrics? bots, LifetimeMeterReader meter, Func<IEnumerable<KeyValuePair<string, long>>>? modeFields = null)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _server = server;
        _bots = bots;
        _meter = meter;
        _modeFields = modeFields;
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
                    // Padded to a fixed width: the spaces erase what a longer previous line left.
                    await output.WriteAsync("\r" + Line().PadRight(MaxWidth));
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
            await output.WriteLineAsync("\r" + Line().PadRight(MaxWidth));
        }
    }

    /// <summary>Formats the current progress line.</summary>
    /// <returns>The line, at most <see cref="MaxWidth"/> columns.</returns>
    public string Line() => Format(Stopwatch.GetElapsedTime(_started), Fields());

    /// <summary>Gets the fields the line shows now, label and value, in order.</summary>
    /// <returns>The fields.</returns>
    public IReadOnlyList<KeyValuePair<string, long>> Fields()
    {
        var fields = new List<KeyValuePair<string, long>>(6);
        if (_server is { } s)
        {
            fields.Add(new("sessions", s.ActiveSessions));
        }
        else if (_bots is { } b)
        {
            fields.Add(new("bots", b.Connected));
            fields.Add(new("logins", b.Logins));
        }

        fields.Add(new("renews", _meter.Renews));
        fields.Add(new("sources", _meter.SourcesLive));
        if (_modeFields is not null)
        {
            fields.AddRange(_modeFields());
        }
        else if (_server is { } server)
        {
            fields.Add(new("served", server.SessionsAccepted));
            fields.Add(new("timeouts", server.ClosedBy(CloseReason.IdleTimeout) + server.OperationsCancelled(TokenEndCause.TimedOut)));
        }

        return fields;
    }

    /// <summary>
    /// Formats a progress line: the elapsed time as minutes:seconds, then each field's label and shortened
    /// value. Five fields with labels of up to 8 letters fit <see cref="MaxWidth"/> for runs of up to a day.
    /// </summary>
    /// <param name="elapsed">The time since the start.</param>
    /// <param name="fields">The fields, label and value.</param>
    /// <returns>The line.</returns>
    public static string Format(TimeSpan elapsed, IEnumerable<KeyValuePair<string, long>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var line = new StringBuilder(MaxWidth);
        var seconds = (long)Math.Round(elapsed.TotalSeconds);
        line.Append(CultureInfo.InvariantCulture, $"{seconds / 60,3}:{seconds % 60:00}");
        foreach (var (label, value) in fields)
        {
            // Values right-aligned to their widest, so that a rewritten line keeps its columns.
            line.Append(' ').Append(label).Append(' ').Append(Short(value).PadLeft(5));
        }

        return line.ToString();
    }

    /// <summary>Shortens a number to at most five characters (six when negative): 9,999, 12.3k, 123k, 4.56M.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The text.</returns>
    public static string Short(long value)
    {
        if (value is > -10_000 and < 10_000)
        {
            return value.ToString("N0", CultureInfo.InvariantCulture);
        }

        // The digits are chosen from the formatted text, after rounding, so that 99,999 reads 100k, not 100.0k.
        var scaled = value / 1e3;
        foreach (var suffix in s_suffixes)
        {
            foreach (var (format, width) in s_formats)
            {
                var text = scaled.ToString(format, CultureInfo.InvariantCulture);
                if (text.TrimStart('-').Length <= width)
                {
                    return text + suffix;
                }
            }

            scaled /= 1e3;
        }

        return (scaled * 1e3).ToString("0", CultureInfo.InvariantCulture) + s_suffixes[^1];
    }
}
