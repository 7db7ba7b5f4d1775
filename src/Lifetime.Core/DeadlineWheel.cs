using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Lifetime;

/// <summary>
/// The deadlines of every owner of one <see cref="TimeProvider"/>: a hashed timing wheel driven by one
/// timer, which ticks every <see cref="TickLength"/> while any deadline is filed and is stopped when none
/// is. Due slots are posted into their owners' mailboxes; the wheel never cancels anything itself.
/// </summary>
/// <remarks>
/// <para>
/// The wheel is an actor too: owners ask it to look at a slot (<see cref="Schedule"/>) through a
/// concurrent queue, and the timer asks it to advance; whoever finds it idle does the work under its
/// <see cref="DrainGate"/>. Bucket lists and the timer are wheel state, touched only under the gate.
/// </para>
/// <para>
/// A slot is filed in the bucket of its deadline's tick. Moving a deadline later needs no request: when
/// the wheel meets the slot and finds the deadline not yet due, it files it again. A slot is posted only
/// when its deadline is due (never early), at the first tick at or after it (at most one tick late).
/// </para>
/// </remarks>
internal sealed class DeadlineWheel
{
    /// <summary>The deadline of a token that has none.</summary>
    public const long NoDeadline = long.MaxValue;

    /// <summary>How often the wheel's timer ticks while deadlines are filed.</summary>
    public static readonly TimeSpan TickLength = TimeSpan.FromMilliseconds(10);

    private const int BucketCount = 512; // a power of two; 5.12 s of ticks per turn

    private static readonly ConditionalWeakTable<TimeProvider, DeadlineWheel> s_wheels = new();
    private static readonly TimerCallback s_onTick = static state => ((DeadlineWheel)state!).OnTick();

    private readonly TimeProvider _time;
    private readonly long _tickTimestamps;
    private readonly ConcurrentQueue<TokenSlot> _requests = new();
    private readonly TokenSlot[] _buckets = NewBuckets();
    private DrainGate _gate;
    private int _tickRequested;

    // Wheel state (under the gate only).
    private int _filed;
    private long _cursor;
    private ITimer? _timer;
    private bool _timerRunning;

    // The clock as the wheel last read it to collect due slots; written under the gate, read by owners.
    private long _collectedAt = long.MinValue;

    private DeadlineWheel(TimeProvider time)
    {
        _time = time;
        _tickTimestamps = Math.Max(1, time.TimestampFrequency * TickLength.Ticks / TimeSpan.TicksPerSecond);
    }

    /// <summary>The wheel shared by all owners of <paramref name="time"/>.</summary>
    public static DeadlineWheel For(TimeProvider time) => s_wheels.GetValue(time, static t => new DeadlineWheel(t));

    /// <summary>Test hook: how many slots are filed and whether the timer runs (read under no gate: approximate).</summary>
    internal (int Filed, bool TimerRunning) Snapshot => (Volatile.Read(ref _filed), _timerRunning);

    /// <summary>
    /// The clock as the wheel read it when it last collected due slots, for an owner checking that a slot
    /// it was posted is still due: any earlier reading is in the past, so a deadline at or before it has
    /// passed, and a slot moved later meanwhile (by a touch) is after it. One clock read per collection,
    /// not one per due slot.
    /// </summary>
    public long CollectedAt => Volatile.Read(ref _collectedAt);

    /// <summary>The timestamp <paramref name="timeout"/> from now, rounded up so that it is never early.</summary>
    public long DeadlineAfter(TimeSpan timeout)
    {
        Debug.Assert(timeout > TimeSpan.Zero, "Zero and infinite timeouts have no deadline.");
        var frequency = _time.TimestampFrequency;
        var ticks = timeout.Ticks;
        var whole = ticks / TimeSpan.TicksPerSecond * frequency;
        var fraction = ((ticks % TimeSpan.TicksPerSecond * frequency) + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        return _time.GetTimestamp() + whole + fraction;
    }

    /// <summary>
    /// Asks the wheel to look at <paramref name="slot"/>'s deadline: file it, move it earlier, or take it
    /// off. Called by the slot's owner after it wrote the deadline.
    /// </summary>
    public void Schedule(TokenSlot slot)
    {
        // Not deduplicated (a flag would cost every slot a field): a slot queued twice is examined twice,
        // which files it where its deadline says both times.
        _requests.Enqueue(slot);
        Run();
    }

    /// <summary>
    /// Returns once every request made so far has been processed and the timer updated, helping when
    /// the wheel is idle and waiting (briefly: a wheel pass takes microseconds) when another thread is
    /// inside it. A disposal calls it so that no timer is armed for its deadlines when it returns.
    /// </summary>
    public void Settle()
    {
        var spinner = default(SpinWait);
        while ((!_requests.IsEmpty || _gate.IsHeld()) && !_gate.IsHeldByCurrentThread())
        {
            Run();
            spinner.SpinOnce();
        }
    }

    private void OnTick()
    {
        Interlocked.Exchange(ref _tickRequested, 1);
        try
        {
            Run();
        }
#pragma warning disable CA1031 // A clock that throws must not take down the timer's thread; the tick stays requested.
        catch (Exception)
#pragma warning restore CA1031
        {
            // Only reading the clock can throw here, before anything changed. The next tick (or the next
            // owner to schedule) tries again; an owner that reads the failing clock itself faults.
            Interlocked.Exchange(ref _tickRequested, 1);
        }
    }

    private void Run()
    {
        List<TokenSlot>? due = null;
        while (_gate.TryEnter())
        {
            try
            {
                var now = _time.GetTimestamp();
                Volatile.Write(ref _collectedAt, now);
                while (_requests.TryDequeue(out var slot))
                {
                    // A deadline written after our read was queued again by its writer.
                    Examine(slot, now, ref due, visiting: null);
                }

                if (Interlocked.Exchange(ref _tickRequested, 0) == 1)
                {
                    Advance(now, ref due);
                }

                UpdateTimer(now);
            }
            finally
            {
                _gate.Exit();
            }

            if (_requests.IsEmpty && Volatile.Read(ref _tickRequested) == 0)
            {
                break;
            }
        }

        // Post outside the gate: an owner drained here runs user callbacks, which may schedule again.
        if (due is not null)
        {
            foreach (var slot in due)
            {
                slot.Owner.PostInternal(slot);
            }
        }
    }

    /// <summary>
    /// Files, moves, drops or collects <paramref name="slot"/> by its deadline now. <paramref name="visiting"/>:
    /// the head of the bucket being walked, where a slot that stays needs no relinking.
    /// </summary>
    private void Examine(TokenSlot slot, long now, ref List<TokenSlot>? due, TokenSlot? visiting)
    {
        var deadline = Volatile.Read(ref slot.Deadline);
        if (deadline == NoDeadline)
        {
            Unlink(slot);
        }
        else if (deadline <= now)
        {
            Unlink(slot);
            (due ??= new List<TokenSlot>()).Add(slot);
        }
        else
        {
            var bucket = BucketOf(deadline);
            if (visiting is null || _buckets[bucket] != visiting)
            {
                Unlink(slot);
                Link(slot, bucket);
            }
        }
    }

    /// <summary>Visits every bucket from the last visited tick to now's, posting what is due.</summary>
    private void Advance(long now, ref List<TokenSlot>? due)
    {
        var nowTick = now / _tickTimestamps;
        var visits = Math.Min(nowTick - _cursor + 1, BucketCount);
        for (var tick = nowTick - visits + 1; tick <= nowTick; tick++)
        {
            var head = _buckets[(int)(tick & (BucketCount - 1))];
            var slot = head.WheelNext!;
            while (slot != head)
            {
                var next = slot.WheelNext!;
                Examine(slot, now, ref due, head);
                slot = next;
            }
        }

        // The current tick's bucket is visited again next time: it may hold deadlines later in the tick.
        _cursor = nowTick;
    }

    private void UpdateTimer(long now)
    {
        if (_filed > 0 && !_timerRunning)
        {
            _cursor = now / _tickTimestamps;
            if (_timer is null)
            {
                // The timer must not capture the ExecutionContext of whichever owner armed it first.
                var restoreFlow = !ExecutionContext.IsFlowSuppressed();
                if (restoreFlow)
                {
                    ExecutionContext.SuppressFlow();
                }

                try
                {
                    _timer = _time.CreateTimer(s_onTick, this, TickLength, TickLength);
                }
                finally
                {
                    if (restoreFlow)
                    {
                        ExecutionContext.RestoreFlow();
                    }
                }
            }
            else
            {
                _timer.Change(TickLength, TickLength);
            }

            _timerRunning = true;
        }
        else if (_filed == 0 && _timerRunning)
        {
            _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timerRunning = false;
        }
    }

    private int BucketOf(long deadline) => (int)(deadline / _tickTimestamps & (BucketCount - 1));

    private static TokenSlot[] NewBuckets()
    {
        var buckets = new TokenSlot[BucketCount];
        for (var i = 0; i < buckets.Length; i++)
        {
            var head = TokenSlot.NewBucketHead();
            head.WheelNext = head;
            head.WheelPrevious = head;
            buckets[i] = head;
        }

        return buckets;
    }

    /// <summary>
    /// Files <paramref name="slot"/> last in its bucket: a bucket is walked in the order its slots were
    /// filed, which for equal timeouts is the order of their deadlines, so when one tick has more due than
    /// it can end at once, the deadlines that passed first end first.
    /// </summary>
    private void Link(TokenSlot slot, int bucket)
    {
        Debug.Assert(slot.WheelPrevious is null, "A slot is filed in one bucket at most.");
        var head = _buckets[bucket];
        var last = head.WheelPrevious!;
        slot.WheelPrevious = last;
        slot.WheelNext = head;
        last.WheelNext = slot;
        head.WheelPrevious = slot;
        _filed++;
    }

    private void Unlink(TokenSlot slot)
    {
        var previous = slot.WheelPrevious;
        if (previous is null)
        {
            return;
        }

        var next = slot.WheelNext!;
        previous.WheelNext = next;
        next.WheelPrevious = previous;
        slot.WheelNext = null;
        slot.WheelPrevious = null;
        _filed--;
    }
}
