using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GameServer.CommandLine;

namespace GameServer.Tests;

/// <summary>The plain sample's command line: both value forms, range errors, help on standard output.</summary>
public sealed class RunOptionsTests
{
    [Theory]
    [InlineData("--bots=50")]
    [InlineData("--bots", "50")]
    public void TryParse_BotsInEitherForm_Sets50(params string[] args)
    {
        var options = new RunOptions();

        Assert.True(RunOptions.CreateParser(options).TryParse(args, out var help, out var error), error);

        Assert.False(help);
        Assert.Equal(50, options.Bots);
    }

    [Fact]
    public void TryParse_EveryOption_ParsesUnits()
    {
        var options = new RunOptions();
        string[] args = ["--mode=SERVER", "--bots", "2000", "--duration=2m", "--idle-timeout", "500ms", "--match-timeout=1.5", "--port=0", "--max-frame=4096", "--progress-interval", "10s", "--metrics", "--metrics-interval=1s"];

        Assert.True(RunOptions.CreateParser(options).TryParse(args, out _, out var error), error);

        Assert.Equal(RunMode.Server, options.Mode);
        Assert.Equal(2000, options.Bots);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1.5), options.MatchTimeout);
        Assert.Equal(0, options.Port);
        Assert.Equal(4096, options.MaxFrameSize);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ProgressInterval);
        Assert.True(options.Metrics);
        Assert.Equal(TimeSpan.FromSeconds(1), options.MetricsInterval);
    }

    [Theory]
    [InlineData("--bots=0", "--bots needs a whole number from 1 to 100000 (got \"0\").")]
    [InlineData("--bots=lots", "--bots needs a whole number from 1 to 100000 (got \"lots\").")]
    [InlineData("--bots", "--bots needs a value: a whole number from 1 to 100000.")]
    [InlineData("--port=70000", "--port needs a whole number from 0 to 65535 (got \"70000\").")]
    [InlineData("--duration=0", "--duration needs a time from 100ms to 1440m (seconds, or a number with ms, s or m: 500ms, 10s, 2m) (got \"0\").")]
    [InlineData("--idle-timeout=5h", "--idle-timeout needs a time from 100ms to 60m (seconds, or a number with ms, s or m: 500ms, 10s, 2m) (got \"5h\").")]
    [InlineData("--mode=1", "--mode needs one of all, server, bots (got \"1\").")]
    [InlineData("--metrics=yes", "--metrics is a flag and takes no value (got \"--metrics=yes\").")]
    [InlineData("--crash-rate=5", "Unknown option --crash-rate.")]
    [InlineData("50", "Unexpected argument \"50\": options start with --.")]
    public void TryParse_BadValue_SaysWhatIsAllowed(string arg, string expected)
    {
        Assert.False(RunOptions.CreateParser(new RunOptions()).TryParse([arg], out _, out var error));

        Assert.Equal(expected, error);
    }

    [Fact]
    public void Validate_BotsModeWithoutPort_AsksForThePort()
    {
        Assert.Contains("--port", new RunOptions { Mode = RunMode.Bots }.Validate(), StringComparison.Ordinal);
        Assert.Null(new RunOptions { Mode = RunMode.Bots, Port = 7777 }.Validate());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public async Task Program_Help_UsageToStandardOutputExitCode0(string arg)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await Program.RunAsync(["--bots=5", arg, "--bots=oops"], output, error, terminal: false).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error.ToString());
        Assert.StartsWith("Usage: dotnet run -c Release --project samples/GameServer -- [options]", output.ToString(), StringComparison.Ordinal);
        foreach (var option in RunOptions.CreateParser(new RunOptions()).Options)
        {
            Assert.Contains("  " + option.Name + " ", output.ToString(), StringComparison.Ordinal);
        }

        Assert.All(output.ToString().Split('\n'), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
    }

    [Fact]
    public async Task Program_BadValue_ErrorToStandardErrorExitCode2()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await Program.RunAsync(["--bots=0"], output, error, terminal: false).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, output.ToString());
        Assert.Equal("--bots needs a whole number from 1 to 100000 (got \"0\").\nRun with --help for the options.\n", error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Process_Help_UsageOnStandardOutputExitCode0()
    {
        var (exitCode, output, error) = await SampleProcess.RunAsync("GameServer.dll", ["--help"], TimeSpan.FromSeconds(30));

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith("Usage: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Parser_DuplicateOptionNames_Refused()
    {
        var options = RunOptions.CreateSharedOptions(new RunOptions()).ToList();
        options.Add(options[0]);

        Assert.Throws<ArgumentException>(() => new CommandLineParser("x", null, options, null));
    }
}
