using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Lifetime.Reliability.Tests;

/// <summary>
/// The whole suite once more in a separate process whose thread pool is capped at two worker threads
/// (<c>DOTNET_ThreadPool_ForceMaxWorkerThreads=2</c>), so that nothing depends on the pool injecting
/// threads: a callback, a reply or a disposal that needed a third pool thread would hang there. The
/// child runs this assembly's own entry point (<see cref="SuiteRunner"/>), not the VSTest host, which
/// blocks two pool threads itself and would never start a test under that cap.
/// </summary>
public sealed class CappedThreadPoolTests : ReliabilityTest
{
    // The default child run takes about 20 s here; a soak run scales it.
    private static readonly TimeSpan s_childLimit = TimeSpan.FromMinutes(4 * Math.Max(1, Scale.Factor));

    public CappedThreadPoolTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void FullSuite_ThreadPoolCappedAtTwo_Passes()
    {
        Assert.True(Environment.GetEnvironmentVariable("LIFETIME_CHILD") is null, "The capped run must not launch itself.");
        var assembly = typeof(CappedThreadPoolTests).Assembly.Location;
        var report = Path.Combine(Path.GetTempPath(), $"lifetime-capped-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");

        // The SDK tells the processes of `dotnet test` which host runs them; outside it, dotnet on the PATH.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
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
            child.WaitForExit(Bounded.Limit);
            Assert.Fail($"The capped run did not finish within {s_childLimit}: hang.\n{Text(output)}");
        }

        child.WaitForExit();
        var log = Text(output);
        var summary = Summary(log);
        Figures.Record(Output, "Capped thread pool run", $"{summary}, {started.Elapsed.TotalSeconds:F0} s");
        Assert.True(File.Exists(report), "The child never reported its thread pool.\n" + log);
        var maxThreads = File.ReadAllText(report).Trim();
        File.Delete(report);
        Assert.True(maxThreads == "2", $"The child's thread pool allowed {maxThreads} worker threads, not 2.");
        Assert.True(child.ExitCode == 0, $"The capped run failed (exit {child.ExitCode}): {summary}.\n{log}");
        Assert.Matches(@"^Passed: [1-9][0-9]*, Failed: 0, Skipped: 0$", summary);
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

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string Summary(string output) =>
        output.Split('\n').Select(line => line.Trim()).LastOrDefault(line => line.StartsWith(SuiteRunner.SummaryPrefix, StringComparison.Ordinal)) ?? "no summary";
}
