using System;
using System.Net;
using System.Threading.Channels;
using System.Threading.Tasks;
using GameServer.Protocol;
using GameServer.Reporting;
using GameServer.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GameServer.Tests;

/// <summary>A real server on an ephemeral loopback port, one per test, that records every session close.</summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private readonly IHost _host;
    private readonly LifetimeMeterReader _meter;
    private readonly Channel<CloseReason> _closed = Channel.CreateUnbounded<CloseReason>();
    private bool _stopped;

    private ServerFixture(IHost host, ServerMetrics metrics, LifetimeMeterReader meter)
    {
        _host = host;
        _meter = meter;
        Metrics = metrics;
        metrics.SessionClosed += reason => _closed.Writer.TryWrite(reason);
    }

    public ServerMetrics Metrics { get; }

    public GameListener Listener => _host.Services.GetRequiredService<GameListener>();

    public IPEndPoint EndPoint => Listener.LocalEndPoint!;

    public static async Task<ServerFixture> StartAsync(TimeSpan? idleTimeout = null, TimeSpan? matchTimeout = null)
    {
        var options = new GameServerOptions { Port = 0, IdleTimeout = idleTimeout ?? TimeSpan.FromSeconds(5), MatchTimeout = matchTimeout ?? TimeSpan.FromMilliseconds(200) };
        var metrics = new ServerMetrics();

        // Before the server's first owner, so that its live sources count from zero.
        var meter = new LifetimeMeterReader();
        var host = GameServerHost.CreateBuilder(options, metrics).Build();
        var fixture = new ServerFixture(host, metrics, meter);
        await host.StartAsync().WaitAsync(s_timeout);
        return fixture;
    }

    /// <summary>Waits for the next session close the server records.</summary>
    public async Task<CloseReason> NextCloseAsync() => await _closed.Reader.ReadAsync().AsTask().WaitAsync(s_timeout);

    /// <summary>Shuts the server down gracefully and checks that nothing leaked and nothing crashed.</summary>
    public async Task StopAndVerifyAsync()
    {
        _stopped = true;
        await _host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(Listener.DrainedInTime);
        Assert.Equal(0, Metrics.SessionFaults);
        Assert.Equal(0, Metrics.ActiveSessions);
        Assert.Equal(0, _meter.CallbackExceptions);
        Assert.Equal(0, _meter.SourcesLive);
        Assert.Equal(0, _meter.OwnersLive);
        Assert.True(_meter.Renews > 0, "the Lifetime meter saw no renew");
        Assert.Equal(_meter.Renews, _meter.TokensEndedTotal);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await _host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _host.Dispose();
        _meter.Dispose();
    }
}
