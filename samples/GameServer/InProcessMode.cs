using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace GameServer;

/// <summary>
/// What a mode changes in <see cref="LoadRunner.RunInProcessAsync(RunOptions, System.IO.TextWriter, bool, InProcessMode)"/>:
/// the header, the host (for example another <see cref="Server.IConnectionHandler"/>), the mode's progress
/// fields and a step after the server has stopped. Everything else of the run is shared.
/// </summary>
public sealed class InProcessMode
{
    /// <summary>Gets the plain mode: Lifetime sessions, nothing added.</summary>
    public static InProcessMode Plain { get; } = new();

    /// <summary>Gets the name in the header line.</summary>
    /// <value><c>GameServer</c> by default.</value>
    public string Title { get; init; } = "GameServer";

    /// <summary>Gets text appended to the settings line of the header (for example the crash rate), or <see langword="null"/>.</summary>
    public string? Settings { get; init; }

    /// <summary>Gets the change to the host before it is built, or <see langword="null"/>.</summary>
    public Action<HostApplicationBuilder>? ConfigureHost { get; init; }

    /// <summary>
    /// Gets the mode's own progress fields, label and value, shown instead of the plain mode's
    /// <c>served</c> and <c>timeouts</c> (see <see cref="Reporting.ProgressReporter"/>); <see langword="null"/>
    /// keeps those.
    /// </summary>
    public Func<IEnumerable<KeyValuePair<string, long>>>? ProgressFields { get; init; }

    /// <summary>
    /// Gets the step that runs after the server has stopped and the bots have ended, before the report
    /// (for example the actor system's termination), or <see langword="null"/>.
    /// </summary>
    public Func<IServiceProvider, Task>? AfterStopAsync { get; init; }
}
