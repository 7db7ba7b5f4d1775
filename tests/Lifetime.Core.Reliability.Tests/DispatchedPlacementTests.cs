using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Lifetime.Reliability.Tests;

/// <summary>
/// Deterministic repros of races the suite found with a dispatched <see cref="CallbackPlacement"/>: with a
/// context that runs posted work only when told to, the order of the owner's reply and the dispatched
/// cancellation is fixed by the test, not by chance.
/// </summary>
public sealed class DispatchedPlacementTests : ReliabilityTest
{
    public DispatchedPlacementTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public async Task RenewAfterLinkFired_DispatchedPlacement_PreviousTokenAlreadyCancelled()
    {
        var context = new HeldContext();
        var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext, CallbackContext = context });
        using var external = new CancellationTokenSource();
        var linked = await owner.RenewLinkedAsync(external.Token).Within();

        external.Cancel(); // The owner ends the token and posts its retirement to the context, which holds it.
        var renew = owner.RenewAsync().AsTask();
        var completedBeforeRetirement = renew.IsCompleted;
        var cancelledAtReply = linked.IsCancellationRequested;
        context.RunAll();
        await renew.Within();

        var disposal = owner.DisposeAsync().AsTask();
        context.RunAll();
        Assert.True(((System.IAsyncResult)disposal).AsyncWaitHandle.WaitOne(Bounded.Limit), OwnerState.Describe(owner) + " posted=" + context.Count);
        Assert.False(completedBeforeRetirement && !cancelledAtReply, "RenewAsync completed while the previous token was not yet cancelled.");
    }

    /// <summary>A context that runs what is posted to it only when told to.</summary>
    private sealed class HeldContext : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback Callback, object? State)> _posted = new();

        public override void Post(SendOrPostCallback d, object? state)
        {
            lock (_posted)
            {
                _posted.Enqueue((d, state));
            }
        }

        public int Count
        {
            get
            {
                lock (_posted)
                {
                    return _posted.Count;
                }
            }
        }

        public void RunAll()
        {
            while (true)
            {
                (SendOrPostCallback Callback, object? State) next;
                lock (_posted)
                {
                    if (!_posted.TryDequeue(out next))
                    {
                        return;
                    }
                }

                next.Callback(next.State);
            }
        }
    }
}
