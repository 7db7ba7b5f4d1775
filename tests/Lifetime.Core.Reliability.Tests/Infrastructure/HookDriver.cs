using System;
using System.Threading;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// Drives <see cref="ScheduleHooks"/>: at every hook point, the thread that reached it draws from its own
/// random stream, seeded by the schedule's seed and the order in which threads first reached a hook, and
/// goes on, yields, or spins a while. A seed fixes the delay policy; the OS adds its own noise, so a replay
/// explores the same neighbourhood of schedules rather than one exact interleaving.
/// </summary>
public sealed class HookDriver : IDisposable
{
    [ThreadStatic]
    private static Random? s_random;

    [ThreadStatic]
    private static int s_generation;

    private int _generation;
    private int _seed;
    private int _threads;
    private long _hits;

    public HookDriver()
    {
        Assert.True(ScheduleHooks.Enabled, "Lifetime.Core was built without LIFETIME_HOOKS: schedule exploration would explore nothing.");
        ScheduleHooks.Handler = OnHook;
    }

    /// <summary>How many times a hook point was reached while this driver was installed.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Starts a new schedule: every thread draws a fresh stream from <paramref name="seed"/>.</summary>
    public void Reseed(int seed)
    {
        _seed = seed;
        _threads = 0;
        Interlocked.Increment(ref _generation);
    }

    public void Dispose() => ScheduleHooks.Handler = null;

    private void OnHook(HookPoint point)
    {
        Interlocked.Increment(ref _hits);
        var generation = Volatile.Read(ref _generation);
        if (s_random is null || s_generation != generation)
        {
            s_generation = generation;
            s_random = new Random(Scale.Derive(_seed, (Interlocked.Increment(ref _threads) * 16) + (int)point));
        }

        switch (s_random.Next(10))
        {
            case 0:
            case 1:
                Thread.Yield();
                break;
            case 2:
                Thread.SpinWait(s_random.Next(1, 64));
                break;
            case 3:
                Thread.SpinWait(s_random.Next(64, 2048));
                break;
            case 4:
                Thread.Sleep(0);
                break;
            default:
                break;
        }
    }
}
