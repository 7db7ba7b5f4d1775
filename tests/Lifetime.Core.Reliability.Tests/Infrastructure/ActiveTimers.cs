using System;
using System.Collections;
using System.Collections.Generic;
using System.Reflection;
using System.Threading;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// Names the process's active timers, for the message of a failed <see cref="Timer.ActiveCount"/> check:
/// the count alone does not say whose timer is left. Reads the runtime's private timer queues by
/// reflection (the queues' debugger view), so it describes what it can and says so when the runtime's
/// layout is not the one expected; it is never used to decide a test.
/// </summary>
public static class ActiveTimers
{
    private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;

    public static string Describe()
    {
        try
        {
            var queueType = typeof(Timer).Assembly.GetType("System.Threading.TimerQueue", throwOnError: true)!;
            var instances = (IEnumerable)(queueType.GetProperty("Instances", Any)?.GetValue(null) ?? queueType.GetField("Instances", Any)!.GetValue(null)!);
            var timersOf = queueType.GetMethod("GetTimersForDebugger", Any)!;
            var described = new List<string>();
            foreach (var queue in instances)
            {
                foreach (var timer in (IEnumerable)timersOf.Invoke(queue, null)!)
                {
                    described.Add(DescribeTimer(timer));
                }
            }

            return described.Count == 0 ? "no active timers" : string.Join("; ", described);
        }
#pragma warning disable CA1031 // A diagnostic only: any failure to read the queues is reported, not thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"active timers not readable on this runtime ({ex.GetType().Name}: {ex.Message})";
        }
    }

    private static string DescribeTimer(object timer)
    {
        var type = timer.GetType();
        var callback = type.GetField("_timerCallback", Any)?.GetValue(timer) as Delegate;
        var state = type.GetField("_state", Any)?.GetValue(timer);
        var due = type.GetField("_dueTime", Any)?.GetValue(timer);
        var period = type.GetField("_period", Any)?.GetValue(timer);
        var method = callback is null ? "?" : $"{callback.Method.DeclaringType?.FullName}.{callback.Method.Name}";
        return $"{method} (state {state?.GetType().FullName ?? "null"}, due {due} ms, period {period})";
    }
}
