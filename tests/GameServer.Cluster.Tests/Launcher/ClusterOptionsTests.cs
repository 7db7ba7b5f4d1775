using System;
using GameServer.Cluster.Entities;
using GameServer.Cluster.Launcher;

namespace GameServer.Cluster.Tests.Launcher;

public sealed class ClusterOptionsTests
{
    [Fact]
    public void TryParse_NoArguments_Defaults()
    {
        Assert.True(ClusterOptions.TryParse([], out var options, out var error));
        Assert.Null(error);
        Assert.Equal(3, options.Nodes);
        Assert.Equal(600, options.Bots);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Duration);
        Assert.Equal(Scenario.Default, options.Scenario);
        Assert.Equal(EntityFault.None, options.Fault);
    }

    [Fact]
    public void TryParse_EqualsAndSpaceForms_BothWork()
    {
        Assert.True(ClusterOptions.TryParse(["--bots=50", "--nodes", "5", "--duration=90s", "--idle-timeout", "1500ms", "--scenario=steady"], out var options, out _));
        Assert.Equal(50, options.Bots);
        Assert.Equal(5, options.Nodes);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.IdleTimeout);
        Assert.Equal(Scenario.Steady, options.Scenario);
    }

    [Fact]
    public void TryParse_Help_ReturnsFalseWithoutError()
    {
        Assert.False(ClusterOptions.TryParse(["--bots", "5", "--help"], out _, out var error));
        Assert.Null(error);
        Assert.Contains("--nodes N", ClusterOptions.Usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--nodes=2", "--nodes must be an integer from 3 to 9, was '2'.")]
    [InlineData("--bots=0", "--bots must be an integer from 1 to 20000, was '0'.")]
    [InlineData("--duration=5s", "--duration must be a time from 10s to 30m (500ms, 45s, 2m), was '5s'.")]
    [InlineData("--idle-timeout=soon", "--idle-timeout must be a time from 500ms to 1m (500ms, 45s, 2m), was 'soon'.")]
    [InlineData("--scenario=chaos", "--scenario must be default or steady, was 'chaos'.")]
    [InlineData("--bots", "--bots needs a value.")]
    [InlineData("--colour=red", "Unknown option '--colour'.")]
    [InlineData("bots", "Unexpected argument 'bots'.")]
    public void TryParse_BadValue_SaysWhatIsAllowed(string argument, string expected)
    {
        Assert.False(ClusterOptions.TryParse([argument], out var options, out var error));
        Assert.Null(options);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Usage_EveryLine_FitsEightyColumns()
    {
        foreach (var line in ClusterOptions.Usage.Split('\n'))
        {
            Assert.True(line.TrimEnd('\r').Length <= 80, line);
        }
    }
}
