using System;
using System.Threading;

namespace Lifetime.Benchmarks;

/// <summary>A clock the benchmark moves by hand, with at most one timer (the deadline wheel's).</summary>
public sealed class ManualClock : TimeProvider
{
    private long _now = 1_000_000_000;
    private Timer? _timer;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Volatile.Read(ref _now);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timer = new Timer(callback, state);
        return _timer;
    }

    /// <summary>Moves the clock and fires the wheel once, as a late timer tick would.</summary>
    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref _now, by.Ticks);
        _timer?.Fire();
    }

    private sealed class Timer : ITimer
    {
        private readonly TimerCallback _callback;
        private readonly object? _state;

        public Timer(TimerCallback callback, object? state)
        {
            _callback = callback;
            _state = state;
        }

        public void Fire() => _callback(_state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public System.Threading.Tasks.ValueTask DisposeAsync() => default;
    }
}
