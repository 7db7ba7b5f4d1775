using System;
using System.Collections.Generic;
using System.Linq;
using GameServer.Bots;
using GameServer.Reporting;

namespace GameServer.Tests;

/// <summary>The progress line fits 80 columns in every mode, whatever the figures.</summary>
public sealed class ProgressReporterTests
{
    public static TheoryData<string> Modes => new() { "all", "server", "bots", "akka" };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Format_WidestValuesOfEachMode_AtMost79Columns(string mode)
    {
        using var meter = new LifetimeMeterReader();
        var server = mode == "bots" ? null : new ServerMetrics();
        var bots = mode == "server" ? null : new BotMetrics();
        Func<IEnumerable<KeyValuePair<string, long>>>? akka = mode == "akka" ? () => [new("crashes", 0), new("restarts", 0)] : null;
        var fields = new ProgressReporter(server, bots, meter, akka).Fields();

        // Every value at its widest (5 characters), after a day.
        foreach (var widest in new long[] { 9_999, 99_999, 999_999, 99_999_999, long.MaxValue })
        {
            var line = ProgressReporter.Format(TimeSpan.FromHours(24), fields.Select(f => new KeyValuePair<string, long>(f.Key, widest)));

            Assert.True(line.Length <= ProgressReporter.MaxWidth, $"{line.Length} columns: {line}");
        }

        var now = new ProgressReporter(server, bots, meter, akka).Line();
        Assert.DoesNotContain("|", now, StringComparison.Ordinal);
        Assert.Matches(@"^  0:00 (sessions|bots) +0 (.* )?renews +\d+ sources +-?\d+", now);
    }

    [Fact]
    public void Fields_ServerMode_SessionsFirstNoBotFields()
    {
        using var meter = new LifetimeMeterReader();

        var labels = new ProgressReporter(new ServerMetrics(), null, meter).Fields().Select(f => f.Key);

        Assert.Equal(["sessions", "renews", "sources", "served", "timeouts"], labels);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(9_999, "9,999")]
    [InlineData(-9_999, "-9,999")]
    [InlineData(10_000, "10.0k")]
    [InlineData(123_456, "123k")]
    [InlineData(4_560_000, "4.56M")]
    [InlineData(99_999, "100k")]
    [InlineData(999_999, "1.00M")]
    [InlineData(999_999_999_999, "1.00T")]
    [InlineData(12_300_000_000_000, "12.3T")]
    [InlineData(long.MaxValue, "9223P")]
    public void Short_Values_AtMostFiveCharactersForPositives(long value, string expected)
    {
        Assert.Equal(expected, ProgressReporter.Short(value));
    }

    [Fact]
    public void Short_EveryMagnitude_AtMostFiveCharacters()
    {
        for (var power = 1L; power < 1_000_000_000_000_000_000 / 10; power *= 10)
        {
            foreach (var value in new[] { power - 1, power, power + 1, (power * 10) - 1, (power * 10) - (power / 200) - 1, power * 5 })
            {
                Assert.True(ProgressReporter.Short(value).Length <= 5, $"{value}: {ProgressReporter.Short(value)}");
            }
        }
    }
}
