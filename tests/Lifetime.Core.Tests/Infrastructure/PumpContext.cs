using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime.Tests.Infrastructure;

/// <summary>A SynchronizationContext with one dedicated thread, like a game engine's main thread.</summary>
public sealed class PumpContext : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly Thread _thread;

    public PumpContext()
    {
        _thread = new Thread(Pump) { IsBackground = true, Name = "PumpContext" };
        _thread.Start();
    }

    public int ThreadId => _thread.ManagedThreadId;

    public int Posted { get; private set; }

    public override void Post(SendOrPostCallback d, object? state)
    {
        Posted++;
        _queue.Add((d, state));
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

    /// <summary>Runs <paramref name="action"/> on the context's thread; the task is bounded by <see cref="Bounded.Limit"/>.</summary>
    public Task<T> Run<T>(Func<T> action)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(
            _ =>
            {
                try
                {
                    result.SetResult(action());
                }
                catch (Exception ex)
                {
                    result.SetException(ex);
                }
            },
            null);
        return result.Task.WaitAsync(Bounded.Limit);
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join(Bounded.Limit);
    }

    private void Pump()
    {
        SetSynchronizationContext(this);
        foreach (var (callback, state) in _queue.GetConsumingEnumerable())
        {
            callback(state);
        }
    }
}
