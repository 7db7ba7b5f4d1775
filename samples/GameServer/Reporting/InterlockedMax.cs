using System.Threading;

namespace GameServer.Reporting;

/// <summary>A lock-free "raise to at least" for the peak counters that several threads update.</summary>
internal static class InterlockedMax
{
    /// <summary>Sets <paramref name="peak"/> to <paramref name="value"/> if that is higher, atomically.</summary>
    /// <param name="peak">The peak.</param>
    /// <param name="value">A value just observed.</param>
    public static void Raise(ref long peak, long value)
    {
        var seen = Volatile.Read(ref peak);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref peak, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
