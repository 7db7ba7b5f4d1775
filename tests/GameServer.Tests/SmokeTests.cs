using System;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using GameServer.Protocol;
using Lifetime;

namespace GameServer.Tests;

/// <summary>The whole sample, server and bots, for a few seconds on an ephemeral port.</summary>
public sealed class SmokeTests
{
    [Fact]
    public async Task RunInProcess_ShortRun_EveryInvariantHolds()
    {
        var options = new RunOptions
        {
            Bots = 60,
            Duration = TimeSpan.FromSeconds(4),
            Port = 0,
            IdleTimeout = TimeSpan.FromMilliseconds(600),
            MatchTimeout = TimeSpan.FromMilliseconds(300),
            ProgressInterval = TimeSpan.FromSeconds(1),
        };
        var output = new StringWriter();

        var report = await LoadRunner.RunInProcessAsync(options, output, interactive: false).WaitAsync(TimeSpan.FromSeconds(45));

        Assert.True(report.Passed, report.Text);
        var server = report.Server!;
        var meter = report.Meter;
        Assert.Equal(0, report.SourcesLiveAtExit);
        Assert.Equal(0, report.OwnersLiveAtExit);
        Assert.True(meter.SourcesPeak > options.Bots, report.Text);
        Assert.Equal(0, meter.CallbackExceptions);
        Assert.Equal(meter.Renews, meter.TokensEndedTotal);
        Assert.True(meter.RenewsOf("renew_linked_after") > 0, report.Text);
        Assert.True(meter.TokensEnded(TokenEndCause.Renewed) >= server.OperationsCancelled(TokenEndCause.Renewed), report.Text);
        Assert.True(meter.TokensEnded(TokenEndCause.TimedOut) >= server.ClosedBy(CloseReason.IdleTimeout) + server.OperationsCancelled(TokenEndCause.TimedOut), report.Text);
        Assert.True(meter.TokensEnded(TokenEndCause.LinkCancelled) > 0, report.Text);
        Assert.True(meter.TokensEnded(TokenEndCause.OwnerDisposed) > 0, report.Text);
        Assert.Contains("live sources at exit    0 (peak ", report.Text, StringComparison.Ordinal);
        Assert.True(server.SessionsAccepted > options.Bots, report.Text);
        Assert.True(server.PeakSessions <= options.Bots, report.Text);
        Assert.True(server.ClosedBy(CloseReason.IdleTimeout) > 0, report.Text);
        Assert.True(server.ClosedBy(CloseReason.ServerShutdown) > 0, report.Text);
        Assert.True(server.ClosedBy(CloseReason.ClientDisconnected) > 0, report.Text);
        Assert.True(server.OperationsCancelled(TokenEndCause.Renewed) > 0, report.Text);
        Assert.True(server.OperationsCancelled(TokenEndCause.TimedOut) > 0, report.Text);
        Assert.True(server.OperationsCancelled(TokenEndCause.LinkCancelled) > 0, report.Text);
        Assert.Equal(0, server.OperationsCancelled(TokenEndCause.Unknown));
        Assert.Equal(0, server.OperationsCancelled(TokenEndCause.Live));
        Assert.Equal(0, server.OperationsCancelled(TokenEndCause.OwnerEnded));
        Assert.Contains("Renewed ", report.Text, StringComparison.Ordinal);
        Assert.True(server.RenewLatency.Count > 0, report.Text);
        ProgressLines.Fit(output.ToString(), expectedLines: 3);
    }

    [Fact]
    public async Task ServerModeAndBotsProcess_ShortRun_BothPassAndProgressLinesFit()
    {
        using var stop = new CancellationTokenSource();
        var server = new LockedStringWriter();
        var serverRun = LoadRunner.RunServerAsync(new RunOptions { Mode = RunMode.Server, Port = 0, ProgressInterval = TimeSpan.FromMilliseconds(200) }, server, interactive: false, stop.Token);
        try
        {
            var port = await PortAsync(server, serverRun);

            // The bots in a real process of their own (its Lifetime meter is its own), with the --name=value form.
            var (exitCode, botOutput, botError) = await SampleProcess.RunAsync("GameServer.dll", ["--mode=bots", $"--port={port}", "--bots=20", "--duration=1500ms", "--progress-interval", "200ms"], TimeSpan.FromSeconds(60));

            Assert.True(exitCode == 0, $"exit code {exitCode}\n{botOutput}\n{botError}");
            Assert.Equal(string.Empty, botError);
            Assert.Contains("live sources at exit    0 (peak ", botOutput, StringComparison.Ordinal);
            Assert.Contains("invariants              all hold", botOutput, StringComparison.Ordinal);
            var botLines = ProgressLines.Fit(botOutput, expectedLines: 3);
            Assert.All(botLines, line => Assert.Matches(@"^ +\d+:\d\d bots +[\d,.kM]+ logins ", line));
        }
        finally
        {
            await stop.CancelAsync();
        }

        var serverReport = await serverRun.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(serverReport.Passed, serverReport.Text);
        Assert.Equal(0, serverReport.SourcesLiveAtExit);
        Assert.True(serverReport.Server!.SessionsAccepted >= 20, serverReport.Text);
        var serverLines = ProgressLines.Fit(server.ToString(), expectedLines: 3);
        Assert.All(serverLines, line => Assert.DoesNotContain("|", line, StringComparison.Ordinal));
        Assert.All(serverLines, line => Assert.Matches(@"^ +\d+:\d\d sessions ", line));
    }

    [Fact]
    public async Task Process_Metrics_LifetimeMeterExportedThroughOpenTelemetry()
    {
        var (exitCode, output, error) = await SampleProcess.RunAsync("GameServer.dll", ["--bots=10", "--duration=1s", "--metrics", "--metrics-interval=300ms"], TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}\n{error}");
        Assert.Contains("service.name: GameServer", output, StringComparison.Ordinal);
        foreach (var instrument in new[] { "lifetime.renews", "lifetime.tokens.ended", "lifetime.sources.live", "lifetime.owners.live", "lifetime.processing.duration" })
        {
            Assert.Contains($"Metric Name: {instrument},", output, StringComparison.Ordinal);
        }

        Assert.Contains("cause: renewed", output, StringComparison.Ordinal);
        Assert.Contains("invariants              all hold", output, StringComparison.Ordinal);
    }

    private static async Task<int> PortAsync(LockedStringWriter output, Task serverRun)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && !serverRun.IsCompleted)
        {
            var match = Regex.Match(output.ToString(), @"listening on 127\.0\.0\.1:(\d+)");
            if (match.Success)
            {
                return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"The server did not say its port: {output}");
    }
}
