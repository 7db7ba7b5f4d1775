using System.Collections.Generic;
using System.Diagnostics;

namespace GameServer.Cluster.Launcher;

/// <summary>What the scenario did and when (Stopwatch timestamps), for the report.</summary>
internal sealed class Timeline
{
    private readonly object _gate = new();
    private readonly List<(long At, string What)> _entries = new();

    public long Origin { get; set; } = Stopwatch.GetTimestamp();

    public long NodeJoinedAt { get; set; }

    public long LeaveAt { get; set; }

    public long LeftAt { get; set; }

    public long KillAt { get; set; }

    public int LateNode { get; set; }

    public int LeavingNode { get; set; }

    public int KilledNode { get; set; }

    public IReadOnlyList<(long At, string What)> Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries.ToArray();
            }
        }
    }

    public long Add(string what)
    {
        var at = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _entries.Add((at, what));
        }

        return at;
    }

    public double Seconds(long at) => Stopwatch.GetElapsedTime(Origin, at).TotalSeconds;
}
