using System;
using System.IO;
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
        var bots = report.Bots!;
        Assert.Equal(0, server.Sources.Live);
        Assert.Equal(0, bots.Sources.Live);
        Assert.Equal(0, server.CallbackExceptions);
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
        Assert.Contains("bots online", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Options_ParsesUnitsAndRejectsBadValues()
    {
        Assert.True(RunOptions.TryParse(["--bots", "2000", "--duration", "60s", "--idle-timeout", "500ms", "--port", "0"], out var options, out _));
        Assert.Equal(2000, options.Bots);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.IdleTimeout);

        Assert.False(RunOptions.TryParse(["--bots", "-1"], out _, out _));
        Assert.False(RunOptions.TryParse(["--mode", "bots"], out _, out var error));
        Assert.Contains("--port", error, StringComparison.Ordinal);
    }
}
