using System;
using System.Threading;
using GameServer.Reporting;

namespace GameServer.Cluster.Launcher;

/// <summary>What the bots saw, per node they were connected to; thread-safe.</summary>
internal sealed class BotStats
{
    private readonly long[,] _outcomes;
    private readonly long[] _sessions;
    private readonly LatencyHistogram[] _latency;
    private readonly LatencyHistogram _allLatency = new();
    private long _connected;
    private long _connectFailures;
    private long _loginFailures;
    private long _resumed;
    private long _idles;
    private long _byes;
    private long _drops;

    public BotStats(int nodes)
    {
        _outcomes = new long[nodes + 1, Enum.GetValues<BotOutcome>().Length];
        _sessions = new long[nodes + 1];
        _latency = new LatencyHistogram[nodes + 1];
        for (var i = 0; i < _latency.Length; i++)
        {
            _latency[i] = new LatencyHistogram();
        }
    }

    public long Connected => Volatile.Read(ref _connected);

    public long ConnectFailures => Volatile.Read(ref _connectFailures);

    public long LoginFailures => Volatile.Read(ref _loginFailures);

    /// <summary>Gets how many times a bot that lost its node logged in again on another and got its player back.</summary>
    public long Resumed => Volatile.Read(ref _resumed);

    public long Idles => Volatile.Read(ref _idles);

    public long Byes => Volatile.Read(ref _byes);

    public long Drops => Volatile.Read(ref _drops);

    public LatencyHistogram AllLatency => _allLatency;

    public LatencyHistogram Latency(int node) => _latency[node];

    public long Sessions(int node) => Volatile.Read(ref _sessions[node]);

    public long Outcome(int node, BotOutcome outcome) => Volatile.Read(ref _outcomes[node, (int)outcome]);

    public long Outcome(BotOutcome outcome)
    {
        long sum = 0;
        for (var node = 0; node < _sessions.Length; node++)
        {
            sum += Outcome(node, outcome);
        }

        return sum;
    }

    public long Requests()
    {
        long sum = 0;
        foreach (var outcome in Enum.GetValues<BotOutcome>())
        {
            sum += Outcome(outcome);
        }

        return sum;
    }

    public void OnConnected() => Interlocked.Increment(ref _connected);

    public void OnDisconnected() => Interlocked.Decrement(ref _connected);

    public void OnConnectFailure() => Interlocked.Increment(ref _connectFailures);

    public void OnLoginFailure() => Interlocked.Increment(ref _loginFailures);

    public void OnSession(int node, bool resumed)
    {
        Interlocked.Increment(ref _sessions[node]);
        if (resumed)
        {
            Interlocked.Increment(ref _resumed);
        }
    }

    public void OnIdle() => Interlocked.Increment(ref _idles);

    public void OnBye() => Interlocked.Increment(ref _byes);

    public void OnDrop() => Interlocked.Increment(ref _drops);

    public void OnOutcome(int node, BotOutcome outcome, TimeSpan latency)
    {
        Interlocked.Increment(ref _outcomes[node, (int)outcome]);
        if (outcome == BotOutcome.Completed)
        {
            _latency[node].Record(latency);
            _allLatency.Record(latency);
        }
    }
}
