using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using GameServer.Bots;
using GameServer.Protocol;
using Lifetime;

namespace GameServer.Reporting;

/// <summary>The final report of a run and the invariants it checks.</summary>
public sealed class RunReport
{
    private readonly List<string> _failures = new();

    private RunReport(ServerMetrics? server, BotMetrics? bots, LifetimeMeterReader meter, int botCount, TimeSpan elapsed, bool drainedInTime)
    {
        Server = server;
        Bots = bots;
        Meter = meter;
        SourcesLiveAtExit = meter.SourcesLive;
        OwnersLiveAtExit = meter.OwnersLive;
        BotCount = botCount;
        Elapsed = elapsed;
        DrainedInTime = drainedInTime;
        Check();
        Text = Format();
    }

    /// <summary>Gets the server's counters, or <see langword="null"/> in bots-only mode.</summary>
    public ServerMetrics? Server { get; }

    /// <summary>Gets the bots' counters, or <see langword="null"/> in server-only mode.</summary>
    public BotMetrics? Bots { get; }

    /// <summary>Gets the <c>Lifetime</c> meter's figures for every owner of the run.</summary>
    public LifetimeMeterReader Meter { get; }

    /// <summary>Gets the sources that were still held when the report was made (<c>lifetime.sources.live</c>; must be 0).</summary>
    public long SourcesLiveAtExit { get; }

    /// <summary>Gets the owners that were still alive when the report was made (<c>lifetime.owners.live</c>; must be 0).</summary>
    public long OwnersLiveAtExit { get; }

    /// <summary>Gets how many bots ran.</summary>
    public int BotCount { get; }

    /// <summary>Gets how long the run took, shutdown included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets whether every session closed within the shutdown timeout.</summary>
    public bool DrainedInTime { get; }

    /// <summary>Gets the invariants that failed; empty when the run passed.</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Gets whether every invariant held.</summary>
    public bool Passed => _failures.Count == 0;

    /// <summary>Gets the report as printed.</summary>
    public string Text { get; }

    /// <summary>Builds the report once everything is stopped and every owner disposed.</summary>
    /// <param name="server">The server's counters, if a server ran in this process.</param>
    /// <param name="bots">The bots' counters, if bots ran in this process.</param>
    /// <param name="meter">The <c>Lifetime</c> meter's figures, listened to since before the run's first owner.</param>
    /// <param name="botCount">How many bots ran.</param>
    /// <param name="elapsed">How long the run took.</param>
    /// <param name="drainedInTime">Whether the server's sessions closed within the shutdown timeout.</param>
    /// <returns>The report.</returns>
    public static RunReport Create(ServerMetrics? server, BotMetrics? bots, LifetimeMeterReader meter, int botCount, TimeSpan elapsed, bool drainedInTime)
    {
        ArgumentNullException.ThrowIfNull(meter);
        return new(server, bots, meter, botCount, elapsed, drainedInTime);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private void Check()
    {
        Require(SourcesLiveAtExit == 0, $"live sources at exit = {SourcesLiveAtExit} (lifetime.sources.live; must be 0)");
        Require(OwnersLiveAtExit == 0, $"live owners at exit = {OwnersLiveAtExit} (lifetime.owners.live; must be 0)");
        Require(Meter.CallbackExceptions == 0, $"callback exceptions = {Meter.CallbackExceptions} (lifetime.callback.exceptions; must be 0)");
        var unexplainedEnds = Meter.TokensEnded(TokenEndCause.Unknown) + Meter.TokensEnded(TokenEndCause.Live);
        Require(unexplainedEnds == 0, $"tokens ended with cause unknown or live = {unexplainedEnds} (lifetime.tokens.ended; must be 0)");
        Require(Meter.Renews == Meter.TokensEndedTotal, $"tokens handed out by renews = {Meter.Renews}, tokens ended = {Meter.TokensEndedTotal} (lifetime.renews, lifetime.tokens.ended; must be equal once every owner has ended)");
        if (Server is { } s)
        {
            Require(s.SessionFaults == 0, $"sessions failed with an unexpected exception = {s.SessionFaults}: {s.LastFault?.GetType().Name}: {s.LastFault?.Message}");
            var unexplained = s.OperationsCancelled(TokenEndCause.Unknown) + s.OperationsCancelled(TokenEndCause.Live);
            Require(unexplained == 0, $"cancelled requests whose token GetEndCause called Unknown or Live = {unexplained} (must be 0)");
            Require(s.ActiveSessions == 0, $"sessions still open at exit = {s.ActiveSessions} (must be 0)");
            Require(DrainedInTime, "the sessions did not close within the shutdown timeout");
        }

        if (Bots is { } b)
        {
            Require(b.Logins > 0, "no bot ever logged in");
            Require(b.ProtocolErrors == 0, $"protocol errors seen by well-behaved bots = {b.ProtocolErrors} (must be 0)");
            Require(b.EarlyIdleTimeouts == 0, $"idle timeouts that fired early = {b.EarlyIdleTimeouts} (must be 0)");
            Require(b.MissingReplies == 0, $"welcomes or goodbyes that never came = {b.MissingReplies} (must be 0)");
        }

        if (Server is { } server && Bots is not null)
        {
            Require(server.SessionsAccepted > 0, "the server served no session");
        }
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
        var text = new StringBuilder();
        void Line(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"  {label,-24}{value}\n");
        static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

        var what = (Server, Bots) switch
        {
            (null, _) => $"{BotCount} bots (no server in this process)",
            (_, null) => "server only",
            _ => $"server and {BotCount} bots",
        };
        text.Append(CultureInfo.InvariantCulture, $"GameServer report: {what}, {Elapsed.TotalSeconds:F1} s\n");
        if (Server is { } s)
        {
            Line("sessions served", $"{N(s.SessionsAccepted)} (peak concurrent {N(s.PeakSessions)})");
            Line("frames received", N(s.FramesReceived));
            Line("heartbeat touches", N(s.Touches));
            Line("renew latency", $"p50 {Us(s.RenewLatency.Percentile(50))}, p99 {Us(s.RenewLatency.Percentile(99))} (request renews, n = {N(s.RenewLatency.Count)})");
            Line("timeouts fired", $"{N(s.ClosedBy(CloseReason.IdleTimeout) + s.OperationsCancelled(TokenEndCause.TimedOut))} (idle {N(s.ClosedBy(CloseReason.IdleTimeout))}, matchmaking {N(s.OperationsCancelled(TokenEndCause.TimedOut))})");
            Line("sessions closed by", $"client left {N(s.ClosedBy(CloseReason.ClientLeft))}, idle timeout {N(s.ClosedBy(CloseReason.IdleTimeout))}, server shutdown {N(s.ClosedBy(CloseReason.ServerShutdown))}, client disconnected {N(s.ClosedBy(CloseReason.ClientDisconnected))}, protocol violation {N(s.ClosedByProtocolViolation())}, slow consumer {N(s.ClosedBy(CloseReason.SlowConsumer))}");
            Line("requests cancelled by", RequestCauses(s));
            Line("requests completed", $"{N(s.OperationsCompleted)} (stale results dropped {N(s.StaleResultsDropped)})");
            Line("session faults", N(s.SessionFaults));
        }

        if (Bots is { } b)
        {
            Line("bot connections", $"{N(b.ConnectAttempts)} attempts, {N(b.Logins)} logins, {N(b.ConnectFailures)} refused");
            Line("bot endings", $"bye {N(b.ByesSent)}, idle {N(b.IdlesStarted)}, abrupt drop {N(b.AbruptDrops)}, connect-and-vanish {N(b.Vanished)}");
            Line("bot goodbyes received", $"client left {N(b.Goodbyes(CloseReason.ClientLeft))}, idle timeout {N(b.Goodbyes(CloseReason.IdleTimeout))}, server shutdown {N(b.Goodbyes(CloseReason.ServerShutdown))}");
            Line("bot replies", $"{N(b.Replies)} (match timeouts {N(b.MatchTimeouts)})");
        }

        // Every figure below is the Lifetime meter's, summed over all the owners of this process.
        var m = Meter;
        text.Append("Lifetime meter (every owner in this process):\n");
        Line("renews", $"{N(m.Renews)}: {Variants(m)}");
        Line("tokens ended", $"{N(m.TokensEndedTotal)}: {EndCauses(m)}");
        Line("callback exceptions", N(m.CallbackExceptions));
        Line("live sources at exit", $"{N(SourcesLiveAtExit)} (peak {N(m.SourcesPeak)})");
        Line("live owners at exit", N(OwnersLiveAtExit));
        Line("invariants", Passed ? "all hold" : "FAILED");
        foreach (var failure in _failures)
        {
            text.Append("    - ").Append(failure).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// The causes that <see cref="TokenOwner.GetEndCause"/> gave for the requests cancelled while they ran. The
    /// first four are the ones a session produces; the others appear only when they happened.
    /// </summary>
    private static string RequestCauses(ServerMetrics s)
    {
        var text = new StringBuilder();
        void Cause(TokenEndCause cause, string meaning, bool always = false)
        {
            var count = s.OperationsCancelled(cause);
            if (always || count != 0)
            {
                text.Append(text.Length == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"{cause} {count:N0} ({meaning})");
            }
        }

        Cause(TokenEndCause.Renewed, "a newer request", always: true);
        Cause(TokenEndCause.TimedOut, "matchmaking", always: true);
        Cause(TokenEndCause.LinkCancelled, "session lifetime ended", always: true);
        Cause(TokenEndCause.Cancelled, "session closed", always: true);
        Cause(TokenEndCause.OwnerEnded, "its actor restarted");
        Cause(TokenEndCause.OwnerDisposed, "owner disposed");
        Cause(TokenEndCause.Live, "must be 0");
        Cause(TokenEndCause.Unknown, "must be 0");
        return text.ToString();
    }

    private static string Variants(LifetimeMeterReader m)
    {
        var text = new StringBuilder();
        foreach (var variant in new[] { "renew", "renew_after", "renew_linked", "renew_linked_after", "renew_owned" })
        {
            var count = m.RenewsOf(variant);
            if (count != 0)
            {
                text.Append(text.Length == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"{variant} {count:N0}");
            }
        }

        return text.ToString();
    }

    private static string EndCauses(LifetimeMeterReader m)
    {
        var text = new StringBuilder();
        foreach (var cause in Enum.GetValues<TokenEndCause>())
        {
            var count = m.TokensEnded(cause);
            if (count != 0)
            {
                text.Append(text.Length == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"{LifetimeMeterReader.CauseTag(cause)} {count:N0}");
            }
        }

        return text.ToString();
    }

    private static string Us(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMicroseconds:F1} µs");
}
