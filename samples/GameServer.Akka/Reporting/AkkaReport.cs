using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using GameServer.Reporting;
using Lifetime;

namespace GameServer.Akka.Reporting;

/// <summary>
/// The Akka mode's part of the report, printed after the plain sample's <see cref="RunReport"/>, with the
/// invariants of supervision: every injected crash restarted its session, every restart found the crashed
/// incarnation's tokens cancelled before the new instance was constructed, no session was stopped by its
/// supervisor, and the actor system terminated.
/// </summary>
public sealed class AkkaReport
{
    private readonly List<string> _failures = new();

    private AkkaReport(AkkaMetrics akka, ServerMetrics server, double crashRate, bool terminated)
    {
        Metrics = akka;
        Server = server;
        CrashRate = crashRate;
        Terminated = terminated;
        Check(server);
        Text = Format();
    }

    /// <summary>Gets the Akka mode's counters.</summary>
    public AkkaMetrics Metrics { get; }

    /// <summary>Gets the server's counters, shared with the plain report.</summary>
    public ServerMetrics Server { get; }

    /// <summary>Gets the crash rate of the run, per second.</summary>
    public double CrashRate { get; }

    /// <summary>Gets whether the actor system terminated in time.</summary>
    public bool Terminated { get; }

    /// <summary>Gets the invariants that failed; empty when the run passed.</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Gets whether every invariant held.</summary>
    public bool Passed => _failures.Count == 0;

    /// <summary>Gets the report as printed.</summary>
    public string Text { get; }

    /// <summary>Builds the report once the server has drained and the actor system has terminated.</summary>
    /// <param name="akka">The Akka mode's counters.</param>
    /// <param name="server">The server's counters.</param>
    /// <param name="crashRate">The crash rate of the run, per second.</param>
    /// <param name="terminated">Whether the actor system terminated in time.</param>
    /// <returns>The report.</returns>
    public static AkkaReport Create(AkkaMetrics akka, ServerMetrics server, double crashRate, bool terminated)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(server);
        return new(akka, server, crashRate, terminated);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private void Check(ServerMetrics server)
    {
        var m = Metrics;
        if (CrashRate > 0)
        {
            Require(m.CrashesInjected > 0, "no crash was injected, so restarts were not tested");
        }

        Require(m.RestartDirectives == m.CrashesInjected, $"restart directives = {m.RestartDirectives}, crashes injected = {m.CrashesInjected} (must be equal)");
        Require(m.Restarts == m.CrashesInjected, $"restarts = {m.Restarts}, crashes injected = {m.CrashesInjected} (must be equal)");
        Require(m.RestartsChecked == m.Restarts, $"restarts whose old tokens were checked = {m.RestartsChecked}, restarts = {m.Restarts} (must be equal)");
        Require(m.TokensLiveAtConstruction == 0, $"old tokens still live when the new instance was constructed = {m.TokensLiveAtConstruction} (must be 0)");
        Require(m.TokensCancelledAtConstruction == m.TokensAtCrash, $"old tokens found cancelled = {m.TokensCancelledAtConstruction}, live at the crash = {m.TokensAtCrash} (must be equal)");
        Require(m.Incarnations - m.Restarts == server.SessionsAccepted, $"first incarnations = {m.Incarnations - m.Restarts}, sessions served = {server.SessionsAccepted} (must be equal)");
        Require(m.StoppedBySupervisor == 0, $"sessions stopped by their supervisor = {m.StoppedBySupervisor} (must be 0)");
        Require(Terminated, "the actor system did not terminate in time");
    }

    private void Require(bool condition, string failure)
    {
        if (!condition)
        {
            _failures.Add(failure);
        }
    }

    private string Format()
    {
        var m = Metrics;
        var text = new StringBuilder();
        void Line(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"  {label,-24}{value}\n");
        static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

        text.Append(CultureInfo.InvariantCulture, $"Akka mode: a session actor per connection under a OneForOne supervisor, {CrashRate:0.##} crashes/s injected\n");
        Line("crashes injected", N(m.CrashesInjected));
        Line("restarts", $"{N(m.Restarts)} (restart directives {N(m.RestartDirectives)}, sessions stopped by the supervisor {N(m.StoppedBySupervisor)})");
        Line("session incarnations", $"{N(m.Incarnations)} ({N(m.Incarnations - m.Restarts)} first, {N(m.Restarts)} after a restart)");
        Line("old tokens at restart", $"{N(m.TokensAtCrash)} live at the crash, {N(m.TokensLiveInPreRestart)} still live in PreRestart, {N(m.TokensCancelledAtConstruction)} cancelled before the new instance was constructed, {N(m.TokensLiveAtConstruction)} live");
        Line("requests lost to crash", $"{N(Server.OperationsCancelled(TokenEndCause.OwnerEnded))} (cancelled while running, GetEndCause OwnerEnded: the restart ended their owner)");
        Line("stale outcomes dropped", $"reader endings {N(m.ReaderEndingsDropped)}, request outcomes {N(m.RequestOutcomesDropped)} (PipeToIfCurrent)");
        Line("actor system", Terminated ? "terminated" : "did not terminate in time");
        Line("akka invariants", Passed ? "all hold" : "FAILED");
        foreach (var failure in _failures)
        {
            text.Append("    - ").Append(failure).Append('\n');
        }

        return text.ToString();
    }
}
