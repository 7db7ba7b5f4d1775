using System;
using System.Globalization;
using System.IO;

namespace GameServer.Cluster.Launcher;

/// <summary>
/// The progress line: rewritten in place every second on a terminal, printed every five seconds
/// otherwise; never longer than 79 characters, so it fits an 80-column terminal.
/// </summary>
internal sealed class ProgressLine
{
    public const int MaxWidth = 79;

    private readonly TextWriter _output;
    private readonly ClusterOptions _options;
    private readonly BotStats _stats;
    private readonly LiveNodes _live;
    private readonly bool _inPlace;
    private TimeSpan _lastPrinted = TimeSpan.FromDays(-1);
    private bool _dirty;

    public ProgressLine(TextWriter output, ClusterOptions options, BotStats stats, LiveNodes live)
    {
        _output = output;
        _options = options;
        _stats = stats;
        _live = live;
        _inPlace = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
    }

    public void Print(TimeSpan elapsed, string status)
    {
        if (!_inPlace && elapsed - _lastPrinted < TimeSpan.FromSeconds(5))
        {
            return;
        }

        _lastPrinted = elapsed;
        var line = Format(elapsed, _options.Duration, _live.ToString(), _stats.Connected, _stats.Requests(),
            _stats.Outcome(BotOutcome.Completed), _stats.AllLatency.Percentile(99), status);
        if (_inPlace)
        {
            _output.Write("\r" + line.PadRight(MaxWidth));
            _dirty = true;
        }
        else
        {
            _output.WriteLine(line);
        }
    }

    public void Done()
    {
        if (_dirty)
        {
            _output.WriteLine();
            _dirty = false;
        }
    }

    /// <summary>Formats one progress line, cut to <see cref="MaxWidth"/> characters.</summary>
    public static string Format(TimeSpan elapsed, TimeSpan duration, string liveNodes, long connected, long requests, long completed, TimeSpan p99, string status)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{elapsed.TotalSeconds,3:0}/{duration.TotalSeconds:0}s nodes {liveNodes} | bots {connected} | req {Short(requests)} ok {Short(completed)} | p99 {p99.TotalMilliseconds:0}ms | {status}");
        return line.Length <= MaxWidth ? line : line[..MaxWidth];
    }

    private static string Short(long value) => value switch
    {
        >= 10_000_000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1_000_000}M"),
        >= 10_000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1000}k"),
        _ => value.ToString(CultureInfo.InvariantCulture),
    };
}
