using System;
using System.Text;
using System.Threading.Tasks;
using GameServer.Protocol;
using Lifetime;

namespace GameServer.Tests;

/// <summary>Clients that break the protocol get their session closed with a reason; the server carries on.</summary>
public sealed class MisbehavingClientTests
{
    [Fact]
    public async Task GarbageBytes_SessionClosedWithInvalidFrameLength()
    {
        await using var server = await ServerFixture.StartAsync();
        await using (var client = await TestClient.ConnectAsync(server.EndPoint))
        {
            await client.SendRawAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));

            Assert.Equal(CloseReason.InvalidFrameLength, await client.ReadGoodbyeAsync());
            Assert.Null(await client.ReadFrameAsync());
        }

        Assert.Equal(CloseReason.InvalidFrameLength, await server.NextCloseAsync());
        await AssertStillServesAsync(server);
        await server.StopAndVerifyAsync();
    }

    [Fact]
    public async Task OversizedFrame_SessionClosedBeforeTheBodyArrives()
    {
        await using var server = await ServerFixture.StartAsync();
        await using (var client = await TestClient.ConnectAsync(server.EndPoint))
        {
            await client.LoginAsync();
            var header = new byte[] { 0, 0, 0x04, 0x01, (byte)FrameType.Move }; // length 1025 > 1024, body never sent

            await client.SendRawAsync(header);

            Assert.Equal(CloseReason.InvalidFrameLength, await client.ReadGoodbyeAsync());
        }

        Assert.Equal(CloseReason.InvalidFrameLength, await server.NextCloseAsync());
        await AssertStillServesAsync(server);
        await server.StopAndVerifyAsync();
    }

    [Fact]
    public async Task FrameBeforeHello_SessionClosedWithNotLoggedIn()
    {
        await using var server = await ServerFixture.StartAsync();
        await using (var client = await TestClient.ConnectAsync(server.EndPoint))
        {
            await client.SendAsync(Frames.Heartbeat);

            Assert.Equal(CloseReason.NotLoggedIn, await client.ReadGoodbyeAsync());
        }

        Assert.Equal(CloseReason.NotLoggedIn, await server.NextCloseAsync());
        await server.StopAndVerifyAsync();
    }

    [Fact]
    public async Task UnknownFrameType_SessionClosedWithUnknownFrameType()
    {
        await using var server = await ServerFixture.StartAsync();
        await using (var client = await TestClient.ConnectAsync(server.EndPoint))
        {
            await client.LoginAsync();

            await client.SendRawAsync(new byte[] { 0, 0, 0, 1, 0x7F });

            Assert.Equal(CloseReason.UnknownFrameType, await client.ReadGoodbyeAsync());
        }

        Assert.Equal(CloseReason.UnknownFrameType, await server.NextCloseAsync());
        await server.StopAndVerifyAsync();
    }

    [Fact]
    public async Task InvalidPayload_SessionClosedWithInvalidPayload()
    {
        await using var server = await ServerFixture.StartAsync();
        await using (var client = await TestClient.ConnectAsync(server.EndPoint))
        {
            await client.SendRawAsync(new byte[] { 0, 0, 0, 3, (byte)FrameType.Hello, 0xC3, 0x28 }); // invalid UTF-8

            Assert.Equal(CloseReason.InvalidPayload, await client.ReadGoodbyeAsync());
        }

        Assert.Equal(CloseReason.InvalidPayload, await server.NextCloseAsync());
        await server.StopAndVerifyAsync();
    }

    [Fact]
    public async Task SecondHello_SessionClosedWithAlreadyLoggedIn()
    {
        await using var server = await ServerFixture.StartAsync();
        await using (var client = await TestClient.ConnectAsync(server.EndPoint))
        {
            await client.LoginAsync();

            await client.SendAsync(Frames.Hello("again"));

            Assert.Equal(CloseReason.AlreadyLoggedIn, await client.ReadGoodbyeAsync());
        }

        Assert.Equal(CloseReason.AlreadyLoggedIn, await server.NextCloseAsync());
        await server.StopAndVerifyAsync();
    }

    [Fact]
    public async Task HalfOpenConnection_ClosedByTheIdleTimeout()
    {
        var idle = TimeSpan.FromMilliseconds(300);
        await using var server = await ServerFixture.StartAsync(idle);
        await using (var client = await TestClient.ConnectAsync(server.EndPoint))
        {
            await client.LoginAsync();
            var started = DateTime.UtcNow;

            await client.SendRawAsync(new byte[] { 0, 0 }); // half a header, then silence

            Assert.Equal(CloseReason.IdleTimeout, await client.ReadGoodbyeAsync());
            Assert.True(DateTime.UtcNow - started >= idle - TimeSpan.FromMilliseconds(20), "The idle timeout fired early.");
        }

        Assert.Equal(CloseReason.IdleTimeout, await server.NextCloseAsync());
        await server.StopAndVerifyAsync();
    }

    [Fact]
    public async Task Heartbeats_KeepTheSessionAliveBeyondTheIdleTimeout()
    {
        // A level load takes 20-300 ms, so heartbeats come well within the 1 s timeout even on a busy
        // machine; the loop goes on until the session has outlived the timeout more than twice over.
        var idle = TimeSpan.FromSeconds(1);
        await using var server = await ServerFixture.StartAsync(idle);
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.LoginAsync();
        var alive = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; alive.Elapsed < idle * 2.5 && i < 200; i++)
        {
            await client.SendAsync(Frames.Heartbeat);
            await client.SendAsync(Frames.LoadLevel(7));
            var reply = await client.ReadFrameAsync();
            Assert.True(reply?.Type == FrameType.LevelLoaded, $"Round {i} at {alive.ElapsedMilliseconds} ms: {reply?.Type} {(reply?.Type == FrameType.Goodbye ? (CloseReason)reply.Value.Payload[0] : CloseReason.None)}, stale {server.Metrics.StaleResultsDropped}, completed {server.Metrics.OperationsCompleted}, renewed {server.Metrics.OperationsCancelled(TokenEndCause.Renewed)}, link cancelled {server.Metrics.OperationsCancelled(TokenEndCause.LinkCancelled)}");
        }

        Assert.True(alive.Elapsed >= idle * 2.5, "The session did not outlive its idle timeout.");
        Assert.Equal(0, server.Metrics.ClosedBy(CloseReason.IdleTimeout));
        await server.StopAndVerifyAsync();
        Assert.Equal(CloseReason.ServerShutdown, await client.ReadGoodbyeAsync());
    }

    [Fact]
    public async Task ConnectAndVanish_SessionClosedAsClientDisconnected()
    {
        await using var server = await ServerFixture.StartAsync();
        var client = await TestClient.ConnectAsync(server.EndPoint);

        await client.DisposeAsync();

        Assert.Equal(CloseReason.ClientDisconnected, await server.NextCloseAsync());
        await AssertStillServesAsync(server);
        await server.StopAndVerifyAsync();
    }

    [Fact]
    public async Task ResetMidRequest_SessionClosedAsClientDisconnected()
    {
        await using var server = await ServerFixture.StartAsync();
        var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.LoginAsync();
        await client.SendAsync(Frames.FindMatch(1));

        client.Reset();

        Assert.Equal(CloseReason.ClientDisconnected, await server.NextCloseAsync());
        await client.DisposeAsync();
        await server.StopAndVerifyAsync();
    }

    [Fact]
    public async Task NewRequest_CancelsThePreviousOne()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.LoginAsync();

        // The level load takes at least 20 ms; the match request arrives in the same packet and replaces it.
        var both = Concat(Frames.LoadLevel(3), Frames.FindMatch(0));
        await client.SendRawAsync(both);
        var reply = await client.ReadFrameAsync();

        Assert.True(reply?.Type is FrameType.MatchFound or FrameType.MatchTimedOut, $"Got {reply?.Type}.");
        Assert.Equal(1, server.Metrics.OperationsCancelled(TokenEndCause.Renewed));
        Assert.Equal(reply?.Type == FrameType.MatchTimedOut ? 1 : 0, server.Metrics.OperationsCancelled(TokenEndCause.TimedOut));
        await server.StopAndVerifyAsync();
    }

    [Fact]
    public async Task ByeDuringRequest_RequestEndsAsCancelled()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.LoginAsync();

        // A level load takes at least 20 ms; the Bye in the same packet closes the session while it runs.
        await client.SendRawAsync(Concat(Frames.LoadLevel(3), Frames.Bye));

        Assert.Equal(CloseReason.ClientLeft, await client.ReadGoodbyeAsync());
        await WaitUntilAsync(() => server.Metrics.OperationsCancelled(TokenEndCause.Cancelled) == 1);
        await server.StopAndVerifyAsync();
        Assert.Equal(0, server.Metrics.OperationsCancelled(TokenEndCause.LinkCancelled));
        Assert.Equal(0, server.Metrics.OperationsCompleted);
    }

    [Fact]
    public async Task ServerShutdownDuringRequest_RequestEndsAsLinkCancelled()
    {
        // With a 10 s match timeout a search takes at least 2 s: it is still running at the shutdown.
        await using var server = await ServerFixture.StartAsync(matchTimeout: TimeSpan.FromSeconds(10));
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.LoginAsync();
        await client.SendAsync(Frames.FindMatch(0));
        await WaitUntilAsync(() => server.Metrics.RenewLatency.Count == 1);

        // The server token ends the session's lifetime, and the lifetime's link ends the request.
        await server.StopAndVerifyAsync();

        Assert.Equal(CloseReason.ServerShutdown, await client.ReadGoodbyeAsync());
        await WaitUntilAsync(() => server.Metrics.OperationsCancelled(TokenEndCause.LinkCancelled) == 1);
        Assert.Equal(0, server.Metrics.OperationsCancelled(TokenEndCause.Cancelled));
        Assert.Equal(0, server.Metrics.OperationsCancelled(TokenEndCause.TimedOut));
    }

    [Fact]
    public async Task ServerShutdown_SaysGoodbyeToEverySession()
    {
        await using var server = await ServerFixture.StartAsync();
        var clients = new TestClient[20];
        for (var i = 0; i < clients.Length; i++)
        {
            clients[i] = await TestClient.ConnectAsync(server.EndPoint);
            await clients[i].LoginAsync();
        }

        await server.StopAndVerifyAsync();

        foreach (var client in clients)
        {
            Assert.Equal(CloseReason.ServerShutdown, await client.ReadGoodbyeAsync());
            await client.DisposeAsync();
        }

        Assert.Equal(20, server.Metrics.ClosedBy(CloseReason.ServerShutdown));
    }

    private static async Task AssertStillServesAsync(ServerFixture server)
    {
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.LoginAsync();
        await client.SendAsync(Frames.Bye);
        Assert.Equal(CloseReason.ClientLeft, await client.ReadGoodbyeAsync());
        Assert.Equal(CloseReason.ClientLeft, await server.NextCloseAsync());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "The condition did not hold within 10 s.");
            await Task.Delay(10);
        }
    }

    private static byte[] Concat(params OutgoingFrame[] frames)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var frame in frames)
        {
            FrameCodec.Write(buffer, frame);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
