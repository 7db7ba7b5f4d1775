using System;
using GameServer.Cluster.Launcher;

namespace GameServer.Cluster.Tests.Launcher;

public sealed class ProgressLineTests
{
    [Fact]
    public void Format_LargestFigures_FitsEightyColumns()
    {
        var line = ProgressLine.Format(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30), "1,2,3,4,5,6,7,8,9", 20_000,
            987_654_321, 987_654_000, TimeSpan.FromSeconds(5), "node 2 leaving: waiting for its hand-off");

        Assert.True(line.Length <= 79, line);
    }

    [Fact]
    public void Format_TypicalFigures_ShowsTheStatusWhole()
    {
        var line = ProgressLine.Format(TimeSpan.FromSeconds(23), TimeSpan.FromSeconds(60), "1,3", 598, 12_345, 12_001, TimeSpan.FromMilliseconds(45), "node 2 left");

        Assert.Equal(" 23/60s nodes 1,3 | bots 598 | req 12k ok 12k | p99 45ms | node 2 left", line);
    }
}
