using System;
using GameServer.Reporting;
using GameServer.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GameServer.Server;

/// <summary>Builds the Generic Host of the game server.</summary>
public static class GameServerHost
{
    /// <summary>
    /// Creates a host builder with the listener, the counters and the Lifetime session handler. The
    /// console lifetime turns Ctrl+C and SIGTERM into a graceful shutdown. To run sessions another way,
    /// register your own <see cref="IConnectionHandler"/> before building.
    /// </summary>
    /// <param name="options">The server settings.</param>
    /// <param name="metrics">The counters to fill.</param>
    /// <returns>The builder.</returns>
    public static HostApplicationBuilder CreateBuilder(GameServerOptions options, ServerMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(console => console.SuppressStatusMessages = true);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(metrics);
        builder.Services.TryAddSingleton<IConnectionHandler, LifetimeSessionHandler>();
        builder.Services.AddSingleton<GameListener>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GameListener>());
        return builder;
    }
}
