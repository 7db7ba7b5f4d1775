using System.Collections.Generic;
using System.IO;

namespace GameServer.Cluster.Events;

/// <summary>Reads a node's event log back.</summary>
internal static class EventLogReader
{
    /// <summary>Reads every event of <paramref name="path"/>; a missing file is an empty log (a node killed before it wrote).</summary>
    public static List<LogEvent> Read(string path, int node)
    {
        var events = new List<LogEvent>();
        if (!File.Exists(path))
        {
            return events;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            // Only a killed node's last line can be cut short; it is skipped.
            if (LogEvent.TryParse(line, node) is { } e)
            {
                events.Add(e);
            }
        }

        return events;
    }
}
