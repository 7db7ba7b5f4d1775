using System.Collections.Generic;

namespace GameServer.Cluster.Checks;

/// <summary>The outcome of one invariant check.</summary>
/// <param name="Name">The invariant, as the report prints it.</param>
/// <param name="Checked">What was checked, for example "1,234 incarnations".</param>
/// <param name="Violations">How many violations were found.</param>
/// <param name="Examples">Up to five violations, described.</param>
internal sealed record InvariantResult(string Name, string Checked, long Violations, IReadOnlyList<string> Examples)
{
    public bool Held => Violations == 0;
}
