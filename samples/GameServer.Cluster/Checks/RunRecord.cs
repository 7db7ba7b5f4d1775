using System.Collections.Generic;

namespace GameServer.Cluster.Checks;

/// <summary>What the checker needs from a finished run.</summary>
/// <param name="Nodes">Every node process.</param>
/// <param name="Requests">Requests the bots sent.</param>
/// <param name="HungRequests">Requests neither answered nor failed within the bots' bound.</param>
internal sealed record RunRecord(IReadOnlyList<NodeRecord> Nodes, long Requests, long HungRequests);
