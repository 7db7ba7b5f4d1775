using System;
using System.Diagnostics;
using System.Numerics;
using System.Threading;

namespace GameServer.Reporting;

/// <summary>
/// A lock-free log-linear histogram of durations (16 buckets per power of two, so a percentile is
/// within about 6 % of the truth). Recording is one interlocked increment.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 4;
    private const int SubCount = 1 << SubBits;
    private const int Linear = SubCount * 2;
    private readonly long[] _counts = new long[Linear + ((64 - SubBits - 1) * SubCount)];
    private long _total;

    /// <summary>Gets how many durations were recorded.</summary>
    public long Count => Volatile.Read(ref _total);

    /// <summary>Records the time elapsed since a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    /// <param name="startTimestamp">The start.</param>
    public void RecordSince(long startTimestamp) => Record(Stopwatch.GetElapsedTime(startTimestamp));

    /// <summary>Records one duration.</summary>
    /// <param name="elapsed">The duration; negative values count as zero.</param>
    public void Record(TimeSpan elapsed)
    {
        var nanoseconds = Math.Max(0L, elapsed.Ticks * 100);
        Interlocked.Increment(ref _counts[Index(nanoseconds)]);
        Interlocked.Increment(ref _total);
    }

    /// <summary>Gets a percentile of the recorded durations.</summary>
    /// <param name="percentile">Between 0 and 100.</param>
    /// <returns>The duration at that percentile (the middle of its bucket), or zero when nothing was recorded.</returns>
    public TimeSpan Percentile(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = Math.Max(1L, (long)Math.Ceiling(total * Math.Clamp(percentile, 0, 100) / 100.0));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                var low = LowerBound(i);
                var high = i + 1 < _counts.Length ? LowerBound(i + 1) : low;
                return TimeSpan.FromTicks((low + ((high - low) / 2)) / 100);
            }
        }

        return TimeSpan.FromTicks(LowerBound(_counts.Length - 1) / 100);
    }

    private static int Index(long value)
    {
        if (value < Linear)
        {
            return (int)value;
        }

        var msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var sub = (int)(value >> (msb - SubBits)) & (SubCount - 1);
        return Linear + ((msb - SubBits - 1) * SubCount) + sub;
    }

    private static long LowerBound(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var k = index - Linear;
        var msb = (k / SubCount) + SubBits + 1;
        return (1L << msb) + ((long)(k % SubCount) << (msb - SubBits));
    }
}
