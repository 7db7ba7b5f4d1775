using System;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime.Benchmarks;

/// <summary>Runs a benchmark body on several dedicated threads released together.</summary>
internal static class CallerThreads
{
    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="callers"/> threads started together and waits for
    /// all; one caller runs it on the benchmark's own thread, so that no thread start is measured.
    /// </summary>
    public static void Run(int callers, int operations, Func<Task> body)
    {
        if (callers <= 0 || operations % callers != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(callers), callers, "Callers must divide the operations evenly.");
        }

        if (callers == 1)
        {
            body().GetAwaiter().GetResult();
            return;
        }

        var tasks = new Task[callers];
        using var start = new Barrier(callers);
        for (var c = 0; c < callers; c++)
        {
            tasks[c] = Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    return body();
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap();
        }

        Task.WaitAll(tasks);
    }
}
