using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime.Tests.Infrastructure;

/// <summary>
/// A SynchronizationContext whose <see cref="Post"/> only queues: nothing it is given runs until the test
/// calls <see cref="RunAll"/>, which makes "dispatched but not run yet" a state a test can hold.
/// </summary>
public sealed class QueueOnlyContext : SynchronizationContext
{
    private readonly List<(SendOrPostCallback Callback, object? State)> _queue = new();

    public int Pending
    {
        get
        {
            lock (_queue)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>An owner whose cancellation callbacks are posted here, so they run only when the test runs them.</summary>
    public TokenOwner CreateOwner(CancellationToken outerToken = default) => new(new TokenOwnerOptions
    {
        CallbackPlacement = CallbackPlacement.SynchronizationContext,
        CallbackContext = this,
        OuterToken = outerToken,
    });

    /// <summary>Runs everything queued, then waits (bounded) for <paramref name="renew"/>: a renew with nothing left pending.</summary>
    public async Task<CancellationToken> SettleAsync(ValueTask<CancellationToken> renew)
    {
        RunAll();
        return await renew.Within();
    }

    /// <summary>Disposes <paramref name="owner"/>, running the ends its disposal posts here, and waits (bounded) for it.</summary>
    public async Task DisposeOwnerAsync(TokenOwner owner)
    {
        var disposing = owner.DisposeAsync().AsTask();
        RunAll();
        await disposing.Within();
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_queue)
        {
            _queue.Add((d, state));
        }
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

    /// <summary>Runs every queued callback, including those queued while it runs.</summary>
    public void RunAll()
    {
        while (true)
        {
            (SendOrPostCallback Callback, object? State) next;
            lock (_queue)
            {
                if (_queue.Count == 0)
                {
                    return;
                }

                next = _queue[0];
                _queue.RemoveAt(0);
            }

            next.Callback(next.State);
        }
    }

    /// <summary>Runs only the callback queued last, out of order.</summary>
    public void RunNewest()
    {
        (SendOrPostCallback Callback, object? State) next;
        lock (_queue)
        {
            next = _queue[^1];
            _queue.RemoveAt(_queue.Count - 1);
        }

        next.Callback(next.State);
    }
}
