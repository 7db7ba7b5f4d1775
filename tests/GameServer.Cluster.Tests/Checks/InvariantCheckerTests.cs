using System.Linq;
using GameServer.Cluster.Checks;
using GameServer.Cluster.Events;

namespace GameServer.Cluster.Tests.Checks;

/// <summary>
/// Each invariant check holds on a clean synthetic run and fails on the fault planted in it, so a check that
/// cannot fail would be caught here.
/// </summary>
public sealed class InvariantCheckerTests
{
    /// <summary>Two nodes: player-1 passivates on node 1, starts again on node 2 later; both nodes stop cleanly.</summary>
    private static SyntheticRun Clean() => new SyntheticRun()
        .Node(1, NodeEnd.Stopped)
        .Node(2, NodeEnd.Left)
        .Incarnation(1, "player-1", "1.1", start: 100, stop: 200)
        .Incarnation(2, "player-1", "2.1", start: 300, stop: 400, cause: "HandedOff")
        .Exit(1, 1000)
        .Exit(2, 500);

    [Fact]
    public void Check_CleanRun_EveryInvariantHolds()
    {
        var results = InvariantChecker.Check(Clean().Analyze());

        Assert.Equal(4, results.Count);
        Assert.All(results, r => Assert.True(r.Held, $"{r.Name}: {string.Join("; ", r.Examples)}"));
    }

    [Fact]
    public void CheckOneLiveIncarnation_NextStartsBeforeStop_Fails()
    {
        var run = new SyntheticRun()
            .Node(1, NodeEnd.Stopped).Node(2, NodeEnd.Stopped)
            .Incarnation(1, "player-1", "1.1", start: 100, stop: 300)
            .Incarnation(2, "player-1", "2.1", start: 250, stop: 400)
            .Exit(1, 1000).Exit(2, 1000);

        var result = InvariantChecker.CheckOneLiveIncarnation(run.Analyze());

        Assert.False(result.Held);
        Assert.Equal(1, result.Violations);
        Assert.Contains("2.1 on node 2 started", result.Examples.Single());
    }

    [Fact]
    public void CheckOneLiveIncarnation_NoStopOnGracefulNode_Fails()
    {
        var run = new SyntheticRun()
            .Node(1, NodeEnd.Stopped)
            .Event(1, 100, EventKind.Start, "player-1", "1.1")
            .Exit(1, 1000);

        var result = InvariantChecker.CheckOneLiveIncarnation(run.Analyze());

        Assert.False(result.Held);
        Assert.Contains("never stopped", result.Examples.Single());
    }

    [Theory]
    [InlineData(600, true)]
    [InlineData(450, false)]
    public void CheckOneLiveIncarnation_RestartAfterKill_HoldsOnlyOnceTheKillWasSeen(long restartAt, bool held)
    {
        // Node 3 was seen dead at 500: its incarnation ends there.
        var run = new SyntheticRun()
            .Node(1, NodeEnd.Stopped).Node(3, NodeEnd.Killed, killedAt: 500)
            .Event(3, 100, EventKind.Start, "player-1", "3.1")
            .Incarnation(1, "player-1", "1.1", start: restartAt, stop: 700)
            .Exit(1, 1000);

        Assert.Equal(held, InvariantChecker.CheckOneLiveIncarnation(run.Analyze()).Held);
    }

    [Fact]
    public void CheckTokensEndFirst_LiveTokenInPostStop_Fails()
    {
        var run = Clean().Event(1, 150, EventKind.Start, "player-2", "1.2")
            .Event(1, 160, EventKind.Issued, "player-2", "1.2", 1, "request")
            .Event(1, 170, EventKind.Stop, "player-2", "1.2", "Rebalanced", 1)
            .Event(1, 180, EventKind.Ended, "player-2", "1.2", 1, "TimedOut");

        var result = InvariantChecker.CheckTokensEndFirst(run.Analyze());

        Assert.False(result.Held);
        Assert.Equal(2, result.Violations);
        Assert.Contains(result.Examples, e => e.Contains("still live in PostStop", System.StringComparison.Ordinal));
        Assert.Contains(result.Examples, e => e.Contains("after PostStop", System.StringComparison.Ordinal));
    }

    [Fact]
    public void CheckTokensEndFirst_TokenNeverEndsOnGracefulNode_Fails()
    {
        var run = Clean().Event(1, 150, EventKind.Start, "player-2", "1.2")
            .Event(1, 160, EventKind.Issued, "player-2", "1.2", 1, "idle")
            .Event(1, 170, EventKind.Stop, "player-2", "1.2", "Shutdown", 0);

        var result = InvariantChecker.CheckTokensEndFirst(run.Analyze());

        Assert.False(result.Held);
        Assert.Contains("never ended", result.Examples.Single());
    }

    [Fact]
    public void CheckTokensEndFirst_TokenOfKilledNodeWithoutEndLine_Holds()
    {
        var run = new SyntheticRun()
            .Node(1, NodeEnd.Stopped).Node(3, NodeEnd.Killed, killedAt: 500)
            .Event(3, 100, EventKind.Start, "player-1", "3.1")
            .Event(3, 110, EventKind.Issued, "player-1", "3.1", 1, "idle")
            .Incarnation(1, "player-1", "1.1", start: 600, stop: 700)
            .Exit(1, 1000);

        Assert.True(InvariantChecker.CheckTokensEndFirst(run.Analyze()).Held);
    }

    [Fact]
    public void CheckTokensEndFirst_EndedAfterNextStartWithoutStopLine_Fails()
    {
        // A killed node's token whose end line comes after the entity started elsewhere.
        var run = new SyntheticRun()
            .Node(1, NodeEnd.Stopped).Node(3, NodeEnd.Killed, killedAt: 500)
            .Event(3, 100, EventKind.Start, "player-1", "3.1")
            .Event(3, 110, EventKind.Issued, "player-1", "3.1", 1, "request")
            .Incarnation(1, "player-1", "1.1", start: 300, stop: 700)
            .Event(3, 400, EventKind.Ended, "player-1", "3.1", 1, "TimedOut")
            .Exit(1, 1000);

        var result = InvariantChecker.CheckTokensEndFirst(run.Analyze());

        Assert.False(result.Held);
        Assert.Contains("after 1.1 started on node 1", result.Examples.Single());
    }

    [Fact]
    public void CheckNoLeaksNoHangs_LiveSourceAtExit_Fails()
    {
        var run = Clean().Exit(2, 600, liveSources: 3);

        var result = InvariantChecker.CheckNoLeaksNoHangs(run.Build());

        Assert.False(result.Held);
        Assert.Contains("node 2 ended with 3 live source(s)", result.Examples.Single());
    }

    [Fact]
    public void CheckNoLeaksNoHangs_KilledNodeWithoutExit_Holds()
    {
        var run = Clean().Node(3, NodeEnd.Killed, killedAt: 800);

        Assert.True(InvariantChecker.CheckNoLeaksNoHangs(run.Build()).Held);
    }

    [Fact]
    public void CheckNoLeaksNoHangs_HungRequest_Fails()
    {
        var run = Clean();
        run.Hung = 1;

        var result = InvariantChecker.CheckNoLeaksNoHangs(run.Build());

        Assert.False(result.Held);
        Assert.Contains("neither answered nor failed", result.Examples.Single());
    }

    [Fact]
    public void CheckNoLeaksNoHangs_NodeThatDidNotExitOrWroteNoExit_Fails()
    {
        var run = Clean().Node(4, NodeEnd.Failed).Node(5, NodeEnd.Stopped);

        var result = InvariantChecker.CheckNoLeaksNoHangs(run.Build());

        Assert.Equal(2, result.Violations);
    }

    [Fact]
    public void CheckDeadLetters_KnownTypes_Hold()
    {
        var run = Clean()
            .Event(1, 900, EventKind.Dead, "GameServer.Cluster.Entities.Touch", 12, "example")
            .Event(1, 901, EventKind.Dead, "Akka.Cluster.GossipStatus", 3, "example")
            .Event(1, 902, EventKind.Dead, "GameServer.Cluster.Entities.PlayerEntity+WorkDone (token ended)", 1, "example");

        var result = InvariantChecker.CheckDeadLetters(run.Build());

        Assert.True(result.Held);
        Assert.Contains("16", result.Checked, System.StringComparison.Ordinal);
    }

    [Fact]
    public void CheckDeadLetters_UnexplainedType_FailsWithItsCount()
    {
        // The last count of a type wins: the node writes cumulative counts every second.
        var run = Clean()
            .Event(1, 900, EventKind.Dead, "GameServer.Cluster.Entities.PlayerEntity+WorkDone (token still live)", 2, "example")
            .Event(1, 950, EventKind.Dead, "GameServer.Cluster.Entities.PlayerEntity+WorkDone (token still live)", 4, "example");

        var result = InvariantChecker.CheckDeadLetters(run.Build());

        Assert.False(result.Held);
        Assert.Equal(4, result.Violations);
    }
}
