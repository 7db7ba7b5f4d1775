using System;
using GameServer.Cluster.Events;

namespace GameServer.Cluster.Tests.Events;

public sealed class LogEventTests
{
    [Fact]
    public void TryParse_ToLineOutput_RoundTrips()
    {
        var line = new LogEvent(123456789, 0, EventKind.Stop, ["player-7", "2.41", "HandedOff", "0"]).ToLine();

        var parsed = LogEvent.TryParse(line, node: 2);

        Assert.NotNull(parsed);
        Assert.Equal(123456789, parsed.Timestamp);
        Assert.Equal(2, parsed.Node);
        Assert.Equal(EventKind.Stop, parsed.Kind);
        Assert.Equal("HandedOff", parsed.Field(2));
        Assert.Equal(0, parsed.Number(3));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("12345\tsta")]
    [InlineData("abc\tstart\tplayer-1\t1.1")]
    public void TryParse_LineCutShort_ReturnsNull(string line) => Assert.Null(LogEvent.TryParse(line, 1));

    [Fact]
    public void Field_Missing_ThrowsFormatExceptionNamingTheEvent()
    {
        var e = new LogEvent(1, 3, EventKind.Start, ["player-1"]);

        var ex = Assert.Throws<FormatException>(() => e.Field(1));

        Assert.Contains("node 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeEventLog_WrittenLines_ReadBack()
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            using (var log = new NodeEventLog(path))
            {
                log.Write(EventKind.Start, "player-1", "1.1");
                log.Write(EventKind.Stop, "player-1", "1.1", "Passivated", 0);
            }

            var events = EventLogReader.Read(path, 1);

            Assert.Equal(2, events.Count);
            Assert.True(events[0].Timestamp <= events[1].Timestamp);
            Assert.Equal("Passivated", events[1].Field(2));
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
