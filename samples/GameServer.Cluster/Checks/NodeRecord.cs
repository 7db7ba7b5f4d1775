using System.Collections.Generic;
using GameServer.Cluster.Events;

namespace GameServer.Cluster.Checks;

/// <summary>One node of a finished run: how it ended and its event log.</summary>
/// <param name="Index">The node's index.</param>
/// <param name="End">How it ended.</param>
/// <param name="KilledAt">When it was seen dead after SIGKILL (a Stopwatch timestamp), or 0.</param>
/// <param name="Events">Its event log, in file order.</param>
internal sealed record NodeRecord(int Index, NodeEnd End, long KilledAt, IReadOnlyList<LogEvent> Events);
