using System;

namespace GameServer.Bots;

/// <summary>Settings of the bot swarm.</summary>
public sealed class BotSwarmOptions
{
    /// <summary>Gets or sets how many bots run at once.</summary>
    /// <value>300 by default.</value>
    public int Bots { get; set; } = 300;

    /// <summary>
    /// Gets or sets the server's idle timeout: bots heartbeat three to five times per timeout, and a bot
    /// that goes idle expects to be told goodbye after it.
    /// </summary>
    /// <value>2 seconds by default.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets the time over which the bots' first connections are spread.</summary>
    /// <value>1 second by default.</value>
    public TimeSpan RampUp { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a bot waits for a reply it is owed (welcome, goodbye) beyond the idle timeout.</summary>
    /// <value>10 seconds by default.</value>
    public TimeSpan ReplyGrace { get; set; } = TimeSpan.FromSeconds(10);
}
