using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace GameServer.Cluster.Tests;

/// <summary>
/// The sample as a user runs it: the launcher process starts three node processes, the bots and the
/// default scenario (late join, graceful leave, SIGKILL), and must exit 0 with every invariant held.
/// </summary>
public sealed class EndToEndTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(100);

    [Fact]
    public async Task Launcher_ShortDefaultScenario_ExitsZeroWithEveryInvariantHeld()
    {
        var logDirectory = Path.Combine(Path.GetTempPath(), "gameserver-cluster-test-" + Guid.NewGuid().ToString("N"));
        var (exitCode, output) = await RunLauncherAsync("--duration=36s", "--bots=60", "--idle-timeout=2s", $"--log-dir={logDirectory}");
        try
        {
            Assert.True(exitCode == 0, output);
            Assert.Contains("Result: every invariant held.", output, StringComparison.Ordinal);
            Assert.Contains("node 2 exited", output, StringComparison.Ordinal);
            Assert.Contains("node 3 killed (SIGKILL)", output, StringComparison.Ordinal);

            // The scenario really moved entities: hand-offs from node 2, stops by the kill on node 3, and
            // entities of node 3 started again on the surviving node.
            Assert.True(Total(output, "stops: handed off") > 0, output);
            Assert.True(Total(output, "stops: node killed") > 0, output);
            Assert.Matches(new Regex(@"restarted after its node was killed\s+[1-9]"), output);
            Assert.True(File.Exists(Path.Combine(logDirectory, "node-1.events.tsv")), output);
        }
        finally
        {
            if (Directory.Exists(logDirectory))
            {
                Directory.Delete(logDirectory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Launcher_Help_PrintsUsageToStdoutAndExitsZero()
    {
        var (exitCode, output) = await RunLauncherAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.StartsWith("Usage: dotnet run -c Release --project samples/GameServer.Cluster", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launcher_BadValue_ExitsTwoAndSaysTheRange()
    {
        var (exitCode, output) = await RunLauncherAsync("--nodes", "12");

        Assert.Equal(2, exitCode);
        Assert.Contains("--nodes must be an integer from 3 to 9, was '12'.", output, StringComparison.Ordinal);
    }

    /// <summary>Gets the total column of a per-node row of the report.</summary>
    private static long Total(string report, string label)
    {
        var line = report.Split('\n').Single(l => l.TrimStart().StartsWith(label, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs the launcher's apphost (copied next to the tests) and returns its exit code and all its output.</summary>
    private static async Task<(int ExitCode, string Output)> RunLauncherAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "GameServer.Cluster.exe" : "GameServer.Cluster"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(s_bound);
        }
        catch (TimeoutException)
        {
            // Killing the launcher ends its nodes too: they stop when their standard input closes.
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
