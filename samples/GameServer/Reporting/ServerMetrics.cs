using System;
using System.Threading;
using GameServer.Protocol;
using Lifetime;

namespace GameServer.Reporting;

/// <summary>
/// The server's own counters (sessions, frames, requests), shared by every session and read by the progress
/// line and the final report. What Lifetime itself does (renews, ended tokens, live sources, callback
/// exceptions) is not counted here: <see cref="LifetimeMeterReader"/> reads it from the <c>Lifetime</c> meter.
/// Every member is thread-safe; counters only grow, except <see cref="ActiveSessions"/>.
/// </summary>
public sealed class ServerMetrics
{
    private readonly long[] _closedBy = new long[CloseReasons.Count];
    private readonly long[] _operationEnds = new long[Enum.GetValues<TokenEndCause>().Length];
    private long _accepted;
    private long _active;
    private long _peak;
    private long _touches;
    private long _operationsCompleted;
    private long _staleResults;
    private long _sessionFaults;
    private long _frames;

    /// <summary>Raised after a session has closed, with its reason (on the session's thread; keep it short).</summary>
    public event Action<CloseReason>? SessionClosed;

    /// <summary>Gets the latencies of the renews that per-request operations make.</summary>
    public LatencyHistogram RenewLatency { get; } = new();

    /// <summary>Gets how many connections were accepted as sessions.</summary>
    public long SessionsAccepted => Volatile.Read(ref _accepted);

    /// <summary>Gets how many sessions are open now.</summary>
    public long ActiveSessions => Volatile.Read(ref _active);

    /// <summary>Gets the most sessions open at once.</summary>
    public long PeakSessions => Volatile.Read(ref _peak);

    /// <summary>Gets how many idle-timeout touches (heartbeats) were made.</summary>
    public long Touches => Volatile.Read(ref _touches);

    /// <summary>Gets how many frames the server received.</summary>
    public long FramesReceived => Volatile.Read(ref _frames);

    /// <summary>Gets how many per-request operations completed and replied.</summary>
    public long OperationsCompleted => Volatile.Read(ref _operationsCompleted);

    /// <summary>Gets how many results were dropped because their token was no longer current.</summary>
    public long StaleResultsDropped => Volatile.Read(ref _staleResults);

    /// <summary>Gets how many sessions failed with an unexpected exception (a server bug; must stay zero).</summary>
    public long SessionFaults => Volatile.Read(ref _sessionFaults);

    /// <summary>Gets how many sessions closed for <paramref name="reason"/>.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The count.</returns>
    public long ClosedBy(CloseReason reason) => Volatile.Read(ref _closedBy[(int)reason]);

    /// <summary>Gets how many sessions closed for a protocol violation.</summary>
    /// <returns>The count.</returns>
    public long ClosedByProtocolViolation()
    {
        long sum = 0;
        for (var reason = CloseReason.InvalidFrameLength; reason <= CloseReason.AlreadyLoggedIn; reason++)
        {
            sum += ClosedBy(reason);
        }

        return sum;
    }

    /// <summary>Gets how many per-request operations were cancelled while they ran, with <paramref name="cause"/> as their token's end cause.</summary>
    /// <param name="cause">What <see cref="TokenOwner.GetEndCause"/> said about the operation's token.</param>
    /// <returns>The count.</returns>
    public long OperationsCancelled(TokenEndCause cause) => Volatile.Read(ref _operationEnds[(int)cause]);

    /// <summary>Records an accepted session.</summary>
    public void OnSessionStarted()
    {
        Interlocked.Increment(ref _accepted);
        InterlockedMax.Raise(ref _peak, Interlocked.Increment(ref _active));
    }

    /// <summary>Records a closed session and raises <see cref="SessionClosed"/>.</summary>
    /// <param name="reason">Why it closed.</param>
    public void OnSessionClosed(CloseReason reason)
    {
        Interlocked.Increment(ref _closedBy[(int)reason]);
        Interlocked.Decrement(ref _active);
        SessionClosed?.Invoke(reason);
    }

    /// <summary>Records a touch.</summary>
    public void OnTouch() => Interlocked.Increment(ref _touches);

    /// <summary>Records a received frame.</summary>
    public void OnFrame() => Interlocked.Increment(ref _frames);

    /// <summary>Records an operation that completed and replied.</summary>
    public void OnOperationCompleted() => Interlocked.Increment(ref _operationsCompleted);

    /// <summary>Records an operation whose token was cancelled while it ran.</summary>
    /// <param name="cause">Why, as <see cref="TokenOwner.GetEndCause"/> tells it.</param>
    public void OnOperationCancelled(TokenEndCause cause) => Interlocked.Increment(ref _operationEnds[(int)cause]);

    /// <summary>Records a result dropped as stale.</summary>
    public void OnStaleResult() => Interlocked.Increment(ref _staleResults);

    /// <summary>Records a session that failed with an unexpected exception.</summary>
    /// <param name="exception">The exception.</param>
    public void OnSessionFault(Exception exception)
    {
        Interlocked.Increment(ref _sessionFaults);
        LastFault = exception;
    }

    /// <summary>Gets the last unexpected session exception, for the report.</summary>
    public Exception? LastFault { get; private set; }
}
