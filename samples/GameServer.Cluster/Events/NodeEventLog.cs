using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;

namespace GameServer.Cluster.Events;

/// <summary>
/// A node's event log: one line per event, appended under a lock by any thread, flushed every 100 ms and
/// on <see cref="Dispose"/>. A killed node loses at most the last 100 ms of events, which the checker
/// treats as a file cut short (the incarnations it shows as live end at the kill).
/// </summary>
internal sealed class NodeEventLog : IDisposable
{
    private readonly object _gate = new();
    private readonly StreamWriter _writer;
    private readonly Timer _flush;
    private bool _disposed;

    public NodeEventLog(string path)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false), 1 << 16);
        _flush = new Timer(static state => ((NodeEventLog)state!).Flush(), this, 100, 100);
    }

    /// <summary>Writes one event stamped now.</summary>
    public void Write(EventKind kind, params object[] fields) => Write(Stopwatch.GetTimestamp(), kind, fields);

    /// <summary>Writes one event with the given timestamp.</summary>
    public void Write(long timestamp, EventKind kind, params object[] fields)
    {
        var text = new string[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            text[i] = Convert.ToString(fields[i], System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }

        var line = new LogEvent(timestamp, 0, kind, text).ToLine();
        lock (_gate)
        {
            if (!_disposed)
            {
                _writer.WriteLine(line);
            }
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _writer.Flush();
            }
        }
    }

    public void Dispose()
    {
        _flush.Dispose();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer.Flush();
            _writer.Dispose();
        }
    }
}
