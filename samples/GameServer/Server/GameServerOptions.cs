using System;
using GameServer.Protocol;

namespace GameServer.Server;

/// <summary>Settings of the game server. The defaults suit the demo run.</summary>
public sealed class GameServerOptions
{
    /// <summary>Gets or sets the loopback port to listen on.</summary>
    /// <value>0 (the default) picks a free ephemeral port; see <see cref="GameListener.LocalEndPoint"/>.</value>
    public int Port { get; set; }

    /// <summary>Gets or sets how long a session may go without a heartbeat before it is closed.</summary>
    /// <value>2 seconds by default.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how long matchmaking may take before the request times out.</summary>
    /// <value>1 second by default.</value>
    public TimeSpan MatchTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long one flush to a client may take before the session is closed as a slow consumer.</summary>
    /// <value>5 seconds by default.</value>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the largest frame body (type byte plus payload) accepted from a client.</summary>
    /// <value><see cref="FrameCodec.DefaultMaxFrameSize"/> (1024) by default.</value>
    public int MaxFrameSize { get; set; } = FrameCodec.DefaultMaxFrameSize;

    /// <summary>Gets or sets how many replies may wait to be sent to one client before it counts as a slow consumer.</summary>
    /// <value>64 by default.</value>
    public int OutboxCapacity { get; set; } = 64;

    /// <summary>Gets or sets the listen backlog.</summary>
    /// <value>1024 by default.</value>
    public int Backlog { get; set; } = 1024;

    /// <summary>Gets or sets how long a graceful shutdown may take (the host's shutdown timeout).</summary>
    /// <value>15 seconds by default.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
