using System;
using GameServer.Akka.Reporting;
using GameServer.Reporting;

namespace GameServer.Akka;

/// <summary>The report of an Akka-mode run: the plain sample's report, then the Akka mode's.</summary>
public sealed class AkkaRunReport
{
    /// <summary>Combines the two parts.</summary>
    /// <param name="run">The plain sample's report (sessions, renews, timeouts, sources, bots).</param>
    /// <param name="akka">The Akka mode's report (crashes, restarts, old tokens).</param>
    public AkkaRunReport(RunReport run, AkkaReport akka)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(akka);
        Run = run;
        Akka = akka;
    }

    /// <summary>Gets the plain sample's report.</summary>
    public RunReport Run { get; }

    /// <summary>Gets the Akka mode's report.</summary>
    public AkkaReport Akka { get; }

    /// <summary>Gets whether every invariant of both parts held.</summary>
    public bool Passed => Run.Passed && Akka.Passed;

    /// <summary>Gets the report as printed.</summary>
    public string Text => Run.Text + Akka.Text;

    /// <inheritdoc/>
    public override string ToString() => Text;
}
