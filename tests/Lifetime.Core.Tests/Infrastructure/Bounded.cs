using System;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime.Tests.Infrastructure;

/// <summary>Every await in a test goes through here, so that a hang fails the test instead of stalling CI.</summary>
public static class Bounded
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public static Task<T> Within<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Limit);

    public static Task Within(this ValueTask task) => task.AsTask().WaitAsync(Limit);

    public static Task Within(this Task task) => task.WaitAsync(Limit);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Limit);

    /// <summary>Waits, bounded, until <paramref name="token"/> is cancelled.</summary>
    public static Task Cancelled(CancellationToken token)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => completion.TrySetResult());
        return completion.Task.WaitAsync(Limit);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after the limit.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(5);
        }
    }
}
