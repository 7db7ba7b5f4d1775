using System;
using System.Globalization;

namespace GameServer.Cluster.Events;

/// <summary>One line of a node's event log: a monotonic timestamp, the node, a kind and its fields.</summary>
/// <param name="Timestamp">A <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value (CLOCK_MONOTONIC on Linux, so comparable across processes on one machine).</param>
/// <param name="Node">The node's index (1-based).</param>
/// <param name="Kind">The kind.</param>
/// <param name="Fields">The kind's fields.</param>
internal sealed record LogEvent(long Timestamp, int Node, EventKind Kind, string[] Fields)
{
    /// <summary>Gets field <paramref name="index"/>, or throws a <see cref="FormatException"/> naming the line.</summary>
    public string Field(int index) => index < Fields.Length
        ? Fields[index]
        : throw new FormatException($"A '{Kind}' event of node {Node} has {Fields.Length} fields; field {index} is missing.");

    /// <summary>Gets field <paramref name="index"/> as a number.</summary>
    public long Number(int index) => long.TryParse(Field(index), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
        ? value
        : throw new FormatException($"Field {index} of a '{Kind}' event of node {Node} is not a number: '{Field(index)}'.");

    /// <summary>Formats the event as one log line (the node is implied by the file).</summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{Timestamp}\t{Kind.ToString().ToLowerInvariant()}\t{string.Join('\t', Fields)}");

    /// <summary>Parses one log line.</summary>
    /// <param name="line">The line.</param>
    /// <param name="node">The node whose file it came from.</param>
    /// <returns>The event, or <see langword="null"/> for a line cut short by a kill (the last line of a killed node's file).</returns>
    /// <exception cref="FormatException">The line is not an event line.</exception>
    public static LogEvent? TryParse(string line, int node)
    {
        var parts = line.Split('\t');
        if (parts.Length < 2
            || !long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var timestamp)
            || !Enum.TryParse<EventKind>(parts[1], ignoreCase: true, out var kind))
        {
            return null;
        }

        return new LogEvent(timestamp, node, kind, parts[2..]);
    }
}
