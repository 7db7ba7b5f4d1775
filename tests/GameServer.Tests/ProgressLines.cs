using System;
using System.Linq;

namespace GameServer.Tests;

/// <summary>Checks on the progress lines that a run printed to a redirected output.</summary>
internal static class ProgressLines
{
    /// <summary>Checks the progress lines of a redirected run (the lines before the report): enough of them, each at most 80 columns.</summary>
    public static string[] Fit(string output, int expectedLines)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .TakeWhile(line => !line.StartsWith("GameServer report", StringComparison.Ordinal))
            .Skip(2)
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.Length > 0)
            .ToArray();
        Assert.True(lines.Length >= expectedLines, output);
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        return lines;
    }
}
