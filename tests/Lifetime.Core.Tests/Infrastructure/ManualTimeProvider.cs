using System;
using System.Collections.Generic;
using System.Threading;

namespace Lifetime.Tests.Infrastructure;

/// <summary>
/// A clock that moves only when a test says so. Timers fire synchronously inside <see cref="Advance"/>,
/// in due order, with the clock set to each firing's due time; a periodic timer fires once per period
/// that elapses. One timestamp unit is one <see cref="TimeSpan"/> tick.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = new();
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _timestamp = 1_000_000_000;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>How many timers are armed (will fire at some point).</summary>
    public int ArmedTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.FindAll(t => t.DueAt != long.MaxValue).Count;
            }
        }
    }

    /// <summary>How many times any timer callback ran.</summary>
    public int Firings { get; private set; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
            timer.Arm(_timestamp, dueTime, period);
        }

        return timer;
    }

    /// <summary>Moves the clock forward and runs every timer that falls due, on the calling thread.</summary>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by));
        }

        long target;
        lock (_gate)
        {
            target = _timestamp + by.Ticks;
            _now += by;
        }

        while (true)
        {
            ManualTimer? next = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueAt <= target && (next is null || timer.DueAt < next.DueAt))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    Interlocked.Exchange(ref _timestamp, target);
                    return;
                }

                Interlocked.Exchange(ref _timestamp, Math.Max(_timestamp, next.DueAt));
                next.DueAt = next.Period > 0 ? next.DueAt + next.Period : long.MaxValue;
                Firings++;
            }

            next.Fire();
        }
    }

    /// <summary>Advances in 1 ms steps until <paramref name="token"/> is cancelled or the clock moved past <paramref name="limit"/>; returns how far it moved.</summary>
    public TimeSpan AdvanceUntilCancelled(CancellationToken token, TimeSpan limit) => AdvanceUntilCancelled(token, TimeSpan.FromMilliseconds(1), limit);

    /// <summary>Advances in steps of <paramref name="step"/> until <paramref name="token"/> is cancelled or the clock moved past <paramref name="limit"/>; returns how far it moved.</summary>
    public TimeSpan AdvanceUntilCancelled(CancellationToken token, TimeSpan step, TimeSpan limit)
    {
        var moved = TimeSpan.Zero;
        while (!token.IsCancellationRequested && moved <= limit)
        {
            Advance(step);
            moved += step;
        }

        return moved;
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public long DueAt { get; set; } = long.MaxValue;

        public long Period { get; private set; }

        public void Arm(long now, TimeSpan dueTime, TimeSpan period)
        {
            DueAt = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : now + dueTime.Ticks;
            Period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
        }

        public void Fire() => _callback(_state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._gate)
            {
                Arm(_owner._timestamp, dueTime, period);
            }

            return true;
        }

        public void Dispose()
        {
            lock (_owner._gate)
            {
                DueAt = long.MaxValue;
                _owner._timers.Remove(this);
            }
        }

        public System.Threading.Tasks.ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
