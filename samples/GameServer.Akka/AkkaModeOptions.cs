using System;

namespace GameServer.Akka;

/// <summary>The settings the Akka mode adds to the plain sample's.</summary>
public sealed class AkkaModeOptions
{
    /// <summary>
    /// Gets or sets how many crashes per second are injected into random live sessions (fewer when every
    /// session picked already had its share of crashes in the supervisor's restart window).
    /// </summary>
    /// <value>25 by default; 0 injects none.</value>
    public double CrashRate { get; set; } = 25;

    /// <summary>Gets or sets how long the actor system may take to terminate after the server has drained.</summary>
    /// <value>10 seconds by default.</value>
    public TimeSpan TerminateTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
