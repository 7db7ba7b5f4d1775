using System;
using System.Threading.Tasks;
using GameServer.Protocol;
using Lifetime;

namespace GameServer.Akka.Tests;

/// <summary>One session, one injected crash: what the restart cancels and what the session keeps.</summary>
public sealed class SessionRestartTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task InjectCrash_LoggedInSession_RestartsWithOldTokensCancelledAndSessionContinues()
    {
        await using var server = await AkkaServerFixture.StartAsync(TimeSpan.FromSeconds(5));
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Akka.Restarted += () => restarted.TrySetResult();
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.LoginAsync();

        server.Handler.InjectCrashes(1);
        await restarted.Task.WaitAsync(s_timeout);

        // The login survived the restart (no NotLoggedIn goodbye), and the new incarnation serves requests.
        await client.SendAsync(Frames.Heartbeat);
        await client.SendAsync(Frames.LoadLevel(7));
        var reply = await client.ReadFrameAsync();
        Assert.Equal(FrameType.LevelLoaded, reply?.Type);
        Assert.Equal(new byte[] { 0, 7 }, reply?.Payload);
        await client.SendAsync(Frames.Bye);
        Assert.Equal(CloseReason.ClientLeft, await client.ReadGoodbyeAsync());

        await server.StopAndVerifyAsync();
        Assert.Equal(1, server.Akka.CrashesInjected);
        Assert.Equal(1, server.Akka.Restarts);
        Assert.Equal(1, server.Akka.RestartsChecked);
        Assert.True(server.Akka.TokensAtCrash >= 1, "the crashed incarnation held at least its lifetime");
        Assert.Equal(server.Akka.TokensAtCrash, server.Akka.TokensLiveInPreRestart);
        Assert.Equal(server.Akka.TokensAtCrash, server.Akka.TokensCancelledAtConstruction);
        Assert.Equal(0, server.Akka.TokensLiveAtConstruction);
        Assert.Equal(1, server.Metrics.SessionsAccepted);
        Assert.Equal(1, server.Metrics.ClosedBy(CloseReason.ClientLeft));
    }

    /// <summary>
    /// More crashes than one session may take in the supervisor's restart window: the injector stops at
    /// its per-session share, so every crash is a restart and Akka never stops the session.
    /// </summary>
    [Fact]
    public async Task InjectCrashes_MoreThanOneSessionMayTake_StopsAtItsShareAndSessionStaysUp()
    {
        await using var server = await AkkaServerFixture.StartAsync(TimeSpan.FromSeconds(5));
        var restarts = 0;
        var allRestarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Akka.Restarted += () =>
        {
            if (System.Threading.Interlocked.Increment(ref restarts) == Sessions.SessionSupervisor.MaxInjectedPerWindow)
            {
                allRestarted.TrySetResult();
            }
        };
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.LoginAsync();

        server.Handler.InjectCrashes(Sessions.SessionSupervisor.MaxRestarts * 2);
        await allRestarted.Task.WaitAsync(s_timeout);

        // Still served by a new incarnation: the supervisor restarted it every time and never stopped it.
        await client.SendAsync(Frames.LoadLevel(3));
        Assert.Equal(FrameType.LevelLoaded, (await client.ReadFrameAsync().WaitAsync(s_timeout))?.Type);
        await client.SendAsync(Frames.Bye);
        Assert.Equal(CloseReason.ClientLeft, await client.ReadGoodbyeAsync());

        await server.StopAndVerifyAsync();
        Assert.Equal(Sessions.SessionSupervisor.MaxInjectedPerWindow, server.Akka.CrashesInjected);
        Assert.Equal(Sessions.SessionSupervisor.MaxInjectedPerWindow, server.Akka.Restarts);
        Assert.Equal(0, server.Akka.StoppedBySupervisor);
    }

    [Fact]
    public async Task InjectCrash_DuringMatchSearch_RequestEndsAsOwnerEndedAndByeAsCancelled()
    {
        // With a 10 s match timeout a search takes at least 2 s: each one is still running when it is ended.
        await using var server = await AkkaServerFixture.StartAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Akka.Restarted += () => restarted.TrySetResult();
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.LoginAsync();
        await client.SendAsync(Frames.FindMatch(0));
        await WaitUntilAsync(() => server.Metrics.RenewLatency.Count == 1);

        server.Handler.InjectCrashes(1);
        await restarted.Task.WaitAsync(s_timeout);
        await WaitUntilAsync(() => server.Metrics.OperationsCancelled(TokenEndCause.OwnerEnded) == 1);

        // The next search runs in the new incarnation; the Bye closes the session while it runs.
        await client.SendAsync(Frames.FindMatch(0));
        await WaitUntilAsync(() => server.Metrics.RenewLatency.Count == 2);
        await client.SendAsync(Frames.Bye);
        Assert.Equal(CloseReason.ClientLeft, await client.ReadGoodbyeAsync());
        await WaitUntilAsync(() => server.Metrics.OperationsCancelled(TokenEndCause.Cancelled) == 1);

        await server.StopAndVerifyAsync();
        Assert.Equal(1, server.Akka.Restarts);
        Assert.Equal(1, server.Metrics.OperationsCancelled(TokenEndCause.OwnerEnded));
        Assert.Equal(0, server.Metrics.OperationsCancelled(TokenEndCause.LinkCancelled));
        Assert.Equal(0, server.Metrics.OperationsCancelled(TokenEndCause.TimedOut));
    }

    [Fact]
    public async Task InjectCrash_ThenSilence_NewIncarnationStillClosesOnIdleTimeout()
    {
        await using var server = await AkkaServerFixture.StartAsync(TimeSpan.FromMilliseconds(500));
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Akka.Restarted += () => restarted.TrySetResult();
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.LoginAsync();

        server.Handler.InjectCrashes(1);
        await restarted.Task.WaitAsync(s_timeout);

        // The old idle deadline died with the old owner; the new incarnation armed its own.
        Assert.Equal(CloseReason.IdleTimeout, await client.ReadGoodbyeAsync());
        await server.StopAndVerifyAsync();
        Assert.Equal(1, server.Akka.Restarts);
        Assert.Equal(0, server.Akka.TokensLiveAtConstruction);
        Assert.Equal(1, server.Metrics.ClosedBy(CloseReason.IdleTimeout));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < s_timeout, "The condition did not hold in time.");
            await Task.Delay(10);
        }
    }
}
