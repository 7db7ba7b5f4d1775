using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using Lifetime.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Lifetime.Reliability.Tests;

/// <summary>
/// The whole suite once more in a separate process whose thread pool is capped at two worker threads
/// (<c>DOTNET_ThreadPool_ForceMaxWorkerThreads=2</c>), so that nothing depends on the pool injecting
/// threads: a callback, a reply or a disposal that needed a third pool thread would hang there.
/// </summary>
public sealed class CappedThreadPoolTests : ReliabilityTest
{
    private static readonly TimeSpan s_childLimit = TimeSpan.FromMinutes(4);

    public CappedThreadPoolTests(ITestOutputHelper output)
        : base(output)
    {
    }

    private const string HostStarves =
        "Not runnable yet: DOTNET_ThreadPool_ForceMaxWorkerThreads=2 hangs the vstest/xunit test host before its first test " +
        "(a one-assertion test never starts); with 3, the harness's threads that block on owner replies (delivered by the pool) " +
        "starve. See docs/reliability.md.";

    [Fact(Skip = HostStarves)]
    public void FullSuite_ThreadPoolCappedAtTwo_Passes()
    {
        Assert.True(Environment.GetEnvironmentVariable("LIFETIME_CHILD") is null, "The capped run must not launch itself.");
        var assembly = typeof(CappedThreadPoolTests).Assembly.Location;
        var report = Path.Combine(Path.GetTempPath(), $"lifetime-capped-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "test", assembly, "--filter", $"FullyQualifiedName!~{nameof(CappedThreadPoolTests)}", "--nologo", "--logger", "console;verbosity=normal" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ThreadPool_ForceMaxWorkerThreads"] = "2";
        start.Environment["LIFETIME_CHILD"] = report;
        start.Environment["LIFETIME_SOAK"] = Scale.Soak;

        var output = new StringBuilder();
        var started = Stopwatch.StartNew();
        using var child = Process.Start(start)!;
        child.OutputDataReceived += (_, e) => Append(output, e.Data);
        child.ErrorDataReceived += (_, e) => Append(output, e.Data);
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        if (!child.WaitForExit(s_childLimit))
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail($"The capped run did not finish within {s_childLimit}: hang.\n{output}");
        }

        child.WaitForExit();
        var summary = Summary(output.ToString());
        Figures.Record(Output, "Capped thread pool run", $"{summary}, {started.Elapsed.TotalSeconds:F0} s");
        Assert.True(child.ExitCode == 0, $"The capped run failed (exit {child.ExitCode}).\n{output}");
        Assert.True(File.Exists(report), "The child never reported its thread pool.\n" + output);
        var maxThreads = File.ReadAllText(report).Trim();
        File.Delete(report);
        Assert.True(maxThreads == "2", $"The child's thread pool allowed {maxThreads} worker threads, not 2.");
        Assert.Contains("Failed: 0", summary, StringComparison.Ordinal);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Summary(string output)
    {
        foreach (var line in output.Split('\n'))
        {
            if (line.Contains("Failed:", StringComparison.Ordinal) && line.Contains("Passed:", StringComparison.Ordinal))
            {
                return line.Trim();
            }
        }

        return "no summary";
    }
}
