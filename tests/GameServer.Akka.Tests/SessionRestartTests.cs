using System;
using System.Threading.Tasks;
using GameServer.Protocol;

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
}
