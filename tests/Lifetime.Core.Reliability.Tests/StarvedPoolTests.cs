using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Lifetime.Reliability.Tests;

/// <summary>
/// Synchronous disposal must not need a free pool thread to return. In the capped child run
/// (<see cref="CappedThreadPoolTests"/>: two worker threads) both pool threads block here in Dispose, so
/// a reply delivered through the pool, or a drain handed to the pool, would never come and the bounded
/// waits fail; in the default run the pool can add threads, and the test shows only that every call
/// returns and ends what it should.
/// </summary>
public sealed class StarvedPoolTests : ReliabilityTest
{
    public StarvedPoolTests(ITestOutputHelper output)
        : base(output)
    {
    }

    /// <param name="placement">Where callbacks run.</param>
    /// <param name="queuedAhead">
    /// Renews queued before the two disposals: past the drainer's budget (64 messages), a drainer hands
    /// the rest of the mailbox to the thread pool unless a caller is blocked.
    /// </param>
    [Theory]
    [InlineData(CallbackPlacement.Inline, 0)]
    [InlineData(CallbackPlacement.ThreadPool, 0)]
    [InlineData(CallbackPlacement.Inline, 200)]
    [InlineData(CallbackPlacement.ThreadPool, 200)]
    public void SynchronousDisposes_OnTwoPoolThreads_ReturnWithoutAThirdPoolThread(CallbackPlacement placement, int queuedAhead)
    {
        var ledger = new LeakLedger();
        var hold = new PathHold();
        var options = ledger.Options(TimeProvider.System);
        options.CallbackPlacement = placement;
        options.SourceFactory = hold.Wrap(ledger.Create);
        var owner = new TokenOwner(options);
        var slot = owner.CreateSlot();
        var other = owner.CreateSlot();
        var slotToken = Sync.Wait(slot.RenewAsync());

        // A dedicated thread holds the processing path inside the source factory.
        hold.Arm();
        var ownerToken = default(CancellationToken);
        Exception? holderError = null;
        var holder = new Thread(() =>
        {
            try
            {
                ownerToken = Sync.Wait(owner.RenewAsync());
            }
            catch (Exception ex)
            {
                holderError = ex;
            }
        })
        { IsBackground = true };
        holder.Start();
        hold.AssertHeld();

        var ahead = new ValueTask<CancellationToken>[queuedAhead];
        for (var i = 0; i < queuedAhead; i++)
        {
            ahead[i] = other.RenewAsync();
        }

        // Two pool threads block in Dispose behind them: the slot's and the owner's. The countdown is
        // not disposed: after a failure those threads may still be inside it.
        var returned = new CountdownEvent(2);
        var errors = new Exception?[2];
        ThreadPool.UnsafeQueueUserWorkItem(_ => Run(0, slot.Dispose), null);
        ThreadPool.UnsafeQueueUserWorkItem(_ => Run(1, owner.Dispose), null);

        // Spinning, not Task.Delay: its timer would need the pool this test starves.
        Assert.True(SpinWait.SpinUntil(() => owner.QueuedForTests == queuedAhead + 2, Bounded.Limit), "The two disposals were never queued.");

        hold.Release();
        Assert.True(holder.Join(Bounded.Limit), "The renew holding the processing path never returned.");
        Assert.Null(holderError);
        Assert.True(returned.Wait(Bounded.Limit), $"{returned.CurrentCount} of the two synchronous disposals never returned: they needed a pool thread.");
        Assert.Null(errors[0]);
        Assert.Null(errors[1]);
        Sync.Wait(owner.Completion);
        Assert.True(slotToken.IsCancellationRequested, "The slot's token was not ended by its disposal.");
        Assert.True(ownerToken.IsCancellationRequested, "The owner's token was not ended by its disposal.");
        foreach (var renew in ahead)
        {
            Assert.True(Sync.Wait(renew).IsCancellationRequested, "A renew queued before the disposal was not ended by it.");
        }

        ledger.AssertBalanced();

        void Run(int index, Action dispose)
        {
            try
            {
                dispose();
            }
            catch (Exception ex)
            {
                errors[index] = ex;
            }

            returned.Signal();
        }
    }

    /// <summary>
    /// The synchronous renew forms under the same starvation: two pool threads block in them while the
    /// processing path is held. With <see cref="CallbackPlacement.ThreadPool"/> their replies also wait for
    /// dispatched ends (their own, and an earlier one queued ahead of them) that the starved pool cannot run:
    /// the blocked callers run those themselves.
    /// </summary>
    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    public void SynchronousRenews_OnTwoPoolThreads_ReturnWithoutAThirdPoolThread(CallbackPlacement placement)
    {
        var ledger = new LeakLedger();
        var hold = new PathHold();
        var options = ledger.Options(TimeProvider.System);
        options.CallbackPlacement = placement;
        options.SourceFactory = hold.Wrap(ledger.Create);
        var owner = new TokenOwner(options);
        var slot = owner.CreateSlot();
        var first = Sync.Wait(slot.RenewAsync());
        var ownerToken = Sync.Wait(owner.RenewAsync());

        hold.Arm();
        Exception? holderError = null;
        var holder = new Thread(() =>
        {
            try
            {
                Sync.Wait(owner.CreateSlot().RenewAsync());
            }
            catch (Exception ex)
            {
                holderError = ex;
            }
        })
        { IsBackground = true };
        holder.Start();
        hold.AssertHeld();

        // Queued ahead: the end of the slot's token, dispatched to the pool once processed.
        var ahead = slot.CancelAndDisposeAsync();

        var returned = new CountdownEvent(2);
        var errors = new Exception?[2];
        var renewed = default(CancellationToken);
        ThreadPool.UnsafeQueueUserWorkItem(_ => Run(0, () => renewed = slot.Renew()), null);
        ThreadPool.UnsafeQueueUserWorkItem(_ => Run(1, owner.CancelAll), null);
        Assert.True(SpinWait.SpinUntil(() => owner.QueuedForTests == 3, Bounded.Limit), "The two synchronous calls were never queued.");

        hold.Release();
        Assert.True(holder.Join(Bounded.Limit), "The renew holding the processing path never returned.");
        Assert.Null(holderError);
        Assert.True(returned.Wait(Bounded.Limit), $"{returned.CurrentCount} of the two synchronous calls never returned: they needed a pool thread.");
        Assert.Null(errors[0]);
        Assert.Null(errors[1]);
        Assert.True(first.IsCancellationRequested, "The renew returned before the token ended ahead of it was cancelled.");
        Assert.True(ownerToken.IsCancellationRequested, "CancelAll returned before the owner's token was cancelled.");
        Assert.True(renewed.CanBeCanceled, "The synchronous renew returned no token.");
        Assert.True(SpinWait.SpinUntil(() => ahead.IsCompleted, Bounded.Limit), "The queued end never completed.");
        owner.Dispose();
        Sync.Wait(owner.Completion);
        ledger.AssertBalanced();

        void Run(int index, Action call)
        {
            try
            {
                call();
            }
            catch (Exception ex)
            {
                errors[index] = ex;
            }

            returned.Signal();
        }
    }
}
