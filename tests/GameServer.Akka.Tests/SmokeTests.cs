using System;
using System.IO;
using System.Threading.Tasks;
using GameServer.Protocol;
using Lifetime;

namespace GameServer.Akka.Tests;

/// <summary>The whole Akka mode, server and bots, with crash injection, for a few seconds on an ephemeral port.</summary>
public sealed class SmokeTests
{
    [Fact]
    public async Task RunInProcess_WithCrashInjection_EveryInvariantHolds()
    {
        var options = new AkkaRunOptions
        {
            Run = new RunOptions
            {
                Bots = 60,
                Duration = TimeSpan.FromSeconds(4),
                Port = 0,
                IdleTimeout = TimeSpan.FromMilliseconds(600),
                MatchTimeout = TimeSpan.FromMilliseconds(300),
                ProgressInterval = TimeSpan.FromSeconds(1),
            },
            Akka = new AkkaModeOptions { CrashRate = 40 },
        };
        var output = new StringWriter();

        var report = await AkkaLoadRunner.RunInProcessAsync(options, output, interactive: false).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(report.Passed, report.Text);
        var server = report.Run.Server!;
        var akka = report.Akka.Metrics;
        Assert.Equal(0, server.Sources.Live);
        Assert.Equal(0, report.Run.Bots!.Sources.Live);
        Assert.Equal(0, server.SessionFaults);
        Assert.True(akka.CrashesInjected > 0, report.Text);
        Assert.Equal(akka.CrashesInjected, akka.Restarts);
        Assert.Equal(akka.Restarts, akka.RestartsChecked);
        Assert.True(akka.TokensCancelledAtConstruction > 0, report.Text);
        Assert.Equal(akka.TokensAtCrash, akka.TokensCancelledAtConstruction);
        Assert.Equal(0, akka.TokensLiveAtConstruction);
        Assert.True(akka.ReaderEndingsDropped > 0, report.Text);
        Assert.True(server.OperationsCancelled(TokenEndCause.Renewed) > 0, report.Text);
        Assert.True(server.OperationsCancelled(TokenEndCause.TimedOut) > 0, report.Text);
        Assert.True(server.OperationsCancelled(TokenEndCause.OwnerEnded) > 0, report.Text);
        Assert.Equal(0, server.OperationsCancelled(TokenEndCause.Unknown));
        Assert.Equal(0, server.OperationsCancelled(TokenEndCause.Live));
        Assert.Equal(0, server.OperationsCancelled(TokenEndCause.OwnerDisposed));
        Assert.True(server.ClosedBy(CloseReason.ServerShutdown) > 0, report.Text);
        Assert.True(report.Akka.Terminated, report.Text);
        Assert.Contains("restarts", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_CrashRate_ParsedBesideThePlainOptions()
    {
        Assert.True(AkkaRunOptions.TryParse(["--crash-rate", "12.5", "--bots", "50", "--duration", "3s"], out var options, out _));
        Assert.Equal(12.5, options.Akka.CrashRate);
        Assert.Equal(50, options.Run.Bots);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Run.Duration);

        Assert.False(AkkaRunOptions.TryParse(["--crash-rate", "-1"], out _, out _));
        Assert.False(AkkaRunOptions.TryParse(["--crash-rate"], out _, out _));
        Assert.False(AkkaRunOptions.TryParse(["--mode", "server"], out _, out var error));
        Assert.Contains("--mode", error, StringComparison.Ordinal);
    }
}
