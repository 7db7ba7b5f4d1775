using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>Every unobserved task exception raised in this process while the suite runs.</summary>
public static class UnobservedExceptions
{
    private static readonly ConcurrentQueue<Exception> s_seen = new();
    private static int s_subscribed;

    /// <summary>Subscribes once, before the first test runs (called by <see cref="ReliabilityTest"/>'s type initializer).</summary>
    public static void Subscribe()
    {
        if (System.Threading.Interlocked.Exchange(ref s_subscribed, 1) == 0)
        {
            TaskScheduler.UnobservedTaskException += static (_, e) => s_seen.Enqueue(e.Exception);
        }
    }

    public static int Count => s_seen.Count;

    /// <summary>Takes what was seen so far (a checker's self-test that plants one).</summary>
    public static List<Exception> Drain()
    {
        var taken = new List<Exception>();
        while (s_seen.TryDequeue(out var exception))
        {
            taken.Add(exception);
        }

        return taken;
    }
}
