using System.Threading;
using GameServer.Protocol;

namespace GameServer.Bots;

/// <summary>What the bots saw; thread-safe counters read by the progress line and the report.</summary>
public sealed class BotMetrics
{
    private readonly long[] _goodbyes = new long[CloseReasons.Count];
    private long _connected;
    private long _attempts;
    private long _connectFailures;
    private long _logins;
    private long _vanished;
    private long _drops;
    private long _byes;
    private long _idles;
    private long _replies;
    private long _matchTimeouts;
    private long _protocolErrors;
    private long _earlyIdleTimeouts;
    private long _missingReplies;

    /// <summary>Gets how many bots are connected now.</summary>
    public long Connected => Volatile.Read(ref _connected);

    /// <summary>Gets how many connections were attempted.</summary>
    public long ConnectAttempts => Volatile.Read(ref _attempts);

    /// <summary>Gets how many connection attempts failed (expected once the server has shut down).</summary>
    public long ConnectFailures => Volatile.Read(ref _connectFailures);

    /// <summary>Gets how many logins were welcomed.</summary>
    public long Logins => Volatile.Read(ref _logins);

    /// <summary>Gets how many connections were closed right after connecting, without a word.</summary>
    public long Vanished => Volatile.Read(ref _vanished);

    /// <summary>Gets how many connections were dropped abruptly (reset).</summary>
    public long AbruptDrops => Volatile.Read(ref _drops);

    /// <summary>Gets how many times a bot said Bye.</summary>
    public long ByesSent => Volatile.Read(ref _byes);

    /// <summary>Gets how many times a bot went idle to be timed out.</summary>
    public long IdlesStarted => Volatile.Read(ref _idles);

    /// <summary>Gets how many request replies (level loaded, match found or timed out) arrived.</summary>
    public long Replies => Volatile.Read(ref _replies);

    /// <summary>Gets how many matchmaking requests were answered with a timeout.</summary>
    public long MatchTimeouts => Volatile.Read(ref _matchTimeouts);

    /// <summary>Gets how many unexpected frames or protocol-violation goodbyes well-behaved bots got (must be zero).</summary>
    public long ProtocolErrors => Volatile.Read(ref _protocolErrors);

    /// <summary>Gets how many idle-timeout goodbyes arrived before the idle timeout could have passed (must be zero).</summary>
    public long EarlyIdleTimeouts => Volatile.Read(ref _earlyIdleTimeouts);

    /// <summary>Gets how many owed replies (welcome, goodbye after Bye or idling) never came in time (must be zero).</summary>
    public long MissingReplies => Volatile.Read(ref _missingReplies);

    /// <summary>Gets how many goodbyes with <paramref name="reason"/> bots received.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The count.</returns>
    public long Goodbyes(CloseReason reason) => Volatile.Read(ref _goodbyes[(int)reason]);

    internal void OnAttempt() => Interlocked.Increment(ref _attempts);

    internal void OnConnectFailure() => Interlocked.Increment(ref _connectFailures);

    internal void OnConnected() => Interlocked.Increment(ref _connected);

    internal void OnDisconnected() => Interlocked.Decrement(ref _connected);

    internal void OnLogin() => Interlocked.Increment(ref _logins);

    internal void OnVanished() => Interlocked.Increment(ref _vanished);

    internal void OnAbruptDrop() => Interlocked.Increment(ref _drops);

    internal void OnBye() => Interlocked.Increment(ref _byes);

    internal void OnIdle() => Interlocked.Increment(ref _idles);

    internal void OnReply() => Interlocked.Increment(ref _replies);

    internal void OnMatchTimeout() => Interlocked.Increment(ref _matchTimeouts);

    internal void OnProtocolError() => Interlocked.Increment(ref _protocolErrors);

    internal void OnEarlyIdleTimeout() => Interlocked.Increment(ref _earlyIdleTimeouts);

    internal void OnMissingReply() => Interlocked.Increment(ref _missingReplies);

    internal void OnGoodbye(CloseReason reason)
    {
        if ((int)reason < CloseReasons.Count)
        {
            Interlocked.Increment(ref _goodbyes[(int)reason]);
        }
    }
}
