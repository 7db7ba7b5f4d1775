using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// The failures of a run that goes on after them (<see cref="Scale.KeepGoing"/>): how many, how many of
/// each kind (a failure's first line up to its first colon after the seed), and the first few in full.
/// </summary>
public sealed class Failures
{
    private const int Kept = 3;
    private readonly List<string> _first = new();
    private readonly SortedDictionary<string, int> _kinds = new(System.StringComparer.Ordinal);
    private int _count;

    public void Add(string failure)
    {
        _count++;
        if (_first.Count < Kept)
        {
            _first.Add(failure);
        }

        var line = failure.Split('\n')[0];
        var kind = line.IndexOf("): ", System.StringComparison.Ordinal) is var at and >= 0 ? line[(at + 3)..] : line;
        kind = kind.Length > 160 ? kind[..160] : kind;
        _kinds[kind] = _kinds.TryGetValue(kind, out var seen) ? seen + 1 : 1;
    }

    /// <summary>Null when nothing failed, else the counts and the first failures.</summary>
    public string? Summary(int total, string what) => _count == 0
        ? null
        : string.Create(CultureInfo.InvariantCulture, $"{_count} of {total} {what} failed:\n{string.Join("\n", _kinds.Select(k => $"  {k.Value} x {k.Key}"))}\nFirst failures:\n{string.Join("\n\n", _first)}");
}
