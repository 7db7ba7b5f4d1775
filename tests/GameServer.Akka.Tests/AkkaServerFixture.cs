using System;
using System.Net;
using System.Threading.Tasks;
using GameServer.Akka.Reporting;
using GameServer.Akka.Sessions;
using GameServer.Reporting;
using GameServer.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace GameServer.Akka.Tests;

/// <summary>A real server with actor sessions on an ephemeral loopback port, one per test, with no crash injected unless asked.</summary>
internal sealed class AkkaServerFixture : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly LifetimeMeterReader _meter;
    private bool _stopped;

    private AkkaServerFixture(IHost host, ServerMetrics metrics, AkkaMetrics akka, LifetimeMeterReader meter)
    {
        _host = host;
        _meter = meter;
        Metrics = metrics;
        Akka = akka;
    }

    public ServerMetrics Metrics { get; }

    public AkkaMetrics Akka { get; }

    public AkkaSessionHandler Handler => (AkkaSessionHandler)_host.Services.GetRequiredService<IConnectionHandler>();

    public IPEndPoint EndPoint => _host.Services.GetRequiredService<GameListener>().LocalEndPoint!;

    public static async Task<AkkaServerFixture> StartAsync(TimeSpan idleTimeout, TimeSpan? matchTimeout = null)
    {
        var options = new GameServerOptions { Port = 0, IdleTimeout = idleTimeout, MatchTimeout = matchTimeout ?? TimeSpan.FromMilliseconds(200) };
        var metrics = new ServerMetrics();
        var akka = new AkkaMetrics();

        // Before the server's first owner, so that its live sources count from zero.
        var meter = new LifetimeMeterReader();
        var builder = GameServerHost.CreateBuilder(options, metrics);
        builder.Services.AddSingleton(akka);
        builder.Services.AddSingleton(new AkkaModeOptions { CrashRate = 0 });
        builder.Services.Replace(ServiceDescriptor.Singleton<IConnectionHandler, AkkaSessionHandler>());
        var host = builder.Build();
        var fixture = new AkkaServerFixture(host, metrics, akka, meter);
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return fixture;
    }

    /// <summary>Shuts the server down, terminates the actor system, and checks that nothing leaked and nothing crashed unexpectedly.</summary>
    public async Task StopAndVerifyAsync()
    {
        _stopped = true;
        await _host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await Handler.TerminateAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(_host.Services.GetRequiredService<GameListener>().DrainedInTime);
        Assert.Equal(0, Metrics.SessionFaults);
        Assert.Equal(0, Metrics.ActiveSessions);
        Assert.Equal(0, _meter.CallbackExceptions);
        Assert.Equal(0, _meter.SourcesLive);
        Assert.Equal(0, _meter.OwnersLive);
        Assert.True(_meter.Renews > 0, "the Lifetime meter saw no renew");
        Assert.Equal(_meter.Renews, _meter.TokensEndedTotal);
        Assert.Equal(0, Akka.StoppedBySupervisor);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await _host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        // Also after a failed verification: an actor system left running would hold owners into the next test.
        await Handler.TerminateAsync().WaitAsync(TimeSpan.FromSeconds(30));

        _host.Dispose();
        _meter.Dispose();
    }
}
