using System;
using System.Globalization;
using System.IO;
using Xunit.Abstractions;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// The figures a run produced (sequences, operations, schedules, timings). Written to the test output
/// and, when <c>LIFETIME_FIGURES</c> names a file, appended to it so that a soak run can be quoted.
/// </summary>
public static class Figures
{
    private static readonly object s_fileGate = new();

    public static void Record(ITestOutputHelper output, string name, FormattableString value)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{name}: {value.ToString(CultureInfo.InvariantCulture)}");
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("LIFETIME_FIGURES") is { Length: > 0 } path)
        {
            lock (s_fileGate)
            {
                var run = Environment.GetEnvironmentVariable("LIFETIME_CHILD") is null ? string.Empty : " capped-child";
                File.AppendAllText(path, $"{DateTime.UtcNow:O} soak={Scale.Soak}{run} {line}{Environment.NewLine}");
            }
        }
    }
}
