using System;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// Blocking, bounded waits for the dedicated threads of races and histories: a reply that does not come
/// within <see cref="Bounded.Limit"/> is a hang and throws <see cref="TimeoutException"/>. A fault is
/// rethrown as itself, as <c>await</c> would.
/// </summary>
public static class Sync
{
    public static T Wait<T>(ValueTask<T> task)
    {
        if (task.IsCompletedSuccessfully)
        {
            return task.Result;
        }

        var asTask = task.AsTask();
        Block(asTask);
        return asTask.GetAwaiter().GetResult();
    }

    public static void Wait(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            return;
        }

        Wait(task.AsTask());
    }

    public static T Wait<T>(Task<T> task)
    {
        Block(task);
        return task.GetAwaiter().GetResult();
    }

    public static void Wait(Task task)
    {
        Block(task);
        task.GetAwaiter().GetResult();
    }

    private static void Block(Task task)
    {
        try
        {
            if (!task.Wait(Bounded.Limit))
            {
                throw new TimeoutException("An owner operation did not complete within the bound: hang.");
            }
        }
        catch (AggregateException) when (task.IsCompleted)
        {
            // Faulted or cancelled: GetResult rethrows the exception itself.
        }
    }
}
