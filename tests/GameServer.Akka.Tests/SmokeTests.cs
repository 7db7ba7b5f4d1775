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
        var meter = report.Run.Meter;
        Assert.Equal(0, report.Run.SourcesLiveAtExit);
        Assert.Equal(0, report.Run.OwnersLiveAtExit);
        Assert.Equal(meter.Renews, meter.TokensEndedTotal);
        Assert.Equal(0, meter.CallbackExceptions);

        // A restart ends the incarnation's owner: its request in flight and its lifetime end as OwnerEnded.
        Assert.True(meter.TokensEnded(TokenEndCause.OwnerEnded) >= akka.TokensAtCrash, report.Text);
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
        var lines = ProgressLines.Fit(output.ToString(), expectedLines: 3);
        Assert.All(lines, line => Assert.Matches(@" crashes +[\d,.kM]+ restarts +[\d,.kM]+$", line));
    }

    [Theory]
    [InlineData("--crash-rate=12.5", "--bots=50", "--duration=3s")]
    [InlineData("--crash-rate", "12.5", "--bots", "50", "--duration", "3s")]
    public void TryParse_CrashRateBesideSharedOptions_EitherForm(params string[] args)
    {
        var options = new AkkaRunOptions();

        Assert.True(AkkaRunOptions.CreateParser(options).TryParse(args, out _, out var error), error);

        Assert.Equal(12.5, options.Akka.CrashRate);
        Assert.Equal(50, options.Run.Bots);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Run.Duration);
    }

    [Theory]
    [InlineData("--crash-rate=-1", "--crash-rate needs a number from 0 to 100000 (got \"-1\").")]
    [InlineData("--crash-rate", "--crash-rate needs a value: a number from 0 to 100000.")]
    [InlineData("--crash-rate=NaN", "--crash-rate needs a number from 0 to 100000 (got \"NaN\").")]
    [InlineData("--bots=0", "--bots needs a whole number from 1 to 100000 (got \"0\").")]
    [InlineData("--mode=server", "Unknown option --mode.")]
    public void TryParse_BadValue_SaysWhatIsAllowed(string arg, string expected)
    {
        Assert.False(AkkaRunOptions.CreateParser(new AkkaRunOptions()).TryParse([arg], out _, out var error));

        Assert.Equal(expected, error);
    }

    [Fact]
    public async Task Program_Help_UsageToStandardOutputExitCode0()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await Program.RunAsync(["--help"], output, error, terminal: false).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error.ToString());
        Assert.StartsWith("Usage: dotnet run -c Release --project samples/GameServer.Akka -- [options]", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("  --crash-rate R ", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("--mode", output.ToString(), StringComparison.Ordinal);
        Assert.All(output.ToString().Split('\n'), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
    }

    [Fact]
    public async Task Program_BadValue_ErrorToStandardErrorExitCode2()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await Program.RunAsync(["--crash-rate=lots"], output, error, terminal: false).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, output.ToString());
        Assert.StartsWith("--crash-rate needs a number from 0 to 100000 (got \"lots\").", error.ToString(), StringComparison.Ordinal);
    }
}
