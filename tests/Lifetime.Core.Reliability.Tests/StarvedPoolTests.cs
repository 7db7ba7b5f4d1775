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
        var holder = Holder.Start(hold, () => Sync.Wait(owner.RenewAsync()));

        var ahead = new ValueTask<CancellationToken>[queuedAhead];
        for (var i = 0; i < queuedAhead; i++)
        {
            ahead[i] = other.RenewAsync();
        }

        // Two pool threads block in Dispose behind them: the slot's and the owner's.
        var calls = OnPool.Run(slot.Dispose, owner.Dispose);

        // Spinning, not Task.Delay: its timer would need the pool this test starves.
        Assert.True(SpinWait.SpinUntil(() => owner.QueuedForTests == queuedAhead + 2, Bounded.Limit), "The two disposals were never queued.");

        var ownerToken = holder.Release(hold);
        calls.AssertReturned("synchronous disposals");
        Sync.Wait(owner.Completion);
        Assert.True(slotToken.IsCancellationRequested, "The slot's token was not ended by its disposal.");
        Assert.True(ownerToken.IsCancellationRequested, "The owner's token was not ended by its disposal.");
        foreach (var renew in ahead)
        {
            Assert.True(Sync.Wait(renew).IsCancellationRequested, "A renew queued before the disposal was not ended by it.");
        }

        ledger.AssertBalanced();
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

        var holder = Holder.Start(hold, () => Sync.Wait(owner.CreateSlot().RenewAsync()));

        // Queued ahead: the end of the slot's token, dispatched to the pool once processed.
        var ahead = slot.CancelAndDisposeAsync();

        var renewed = default(CancellationToken);
        var calls = OnPool.Run(() => renewed = slot.Renew(), owner.CancelAll);
        Assert.True(SpinWait.SpinUntil(() => owner.QueuedForTests == 3, Bounded.Limit), "The two synchronous calls were never queued.");

        holder.Release(hold);
        calls.AssertReturned("synchronous calls");
        Assert.True(first.IsCancellationRequested, "The renew returned before the token ended ahead of it was cancelled.");
        Assert.True(ownerToken.IsCancellationRequested, "CancelAll returned before the owner's token was cancelled.");
        Assert.True(renewed.CanBeCanceled, "The synchronous renew returned no token.");
        Assert.True(SpinWait.SpinUntil(() => ahead.IsCompleted, Bounded.Limit), "The queued end never completed.");
        owner.Dispose();
        Sync.Wait(owner.Completion);
        ledger.AssertBalanced();
    }

    /// <summary>A dedicated thread whose renew holds the processing path in the source factory.</summary>
    private sealed class Holder
    {
        private readonly Thread _thread;
        private CancellationToken _token;
        private Exception? _error;

        private Holder(Func<CancellationToken> renew) => _thread = new Thread(() =>
        {
            try
            {
                _token = renew();
            }
            catch (Exception ex)
            {
                _error = ex;
            }
        })
        { IsBackground = true };

        public static Holder Start(PathHold hold, Func<CancellationToken> renew)
        {
            hold.Arm();
            var holder = new Holder(renew);
            holder._thread.Start();
            hold.AssertHeld();
            return holder;
        }

        /// <summary>Lets the path go on and returns the holder's token once its renew returned.</summary>
        public CancellationToken Release(PathHold hold)
        {
            hold.Release();
            Assert.True(_thread.Join(Bounded.Limit), "The renew holding the processing path never returned.");
            Assert.Null(_error);
            return _token;
        }
    }

    /// <summary>
    /// Calls run on pool threads, one each. The countdown is never disposed: after a failure those threads
    /// may still be inside it.
    /// </summary>
    private sealed class OnPool
    {
        private readonly CountdownEvent _returned;
        private readonly Exception?[] _errors;

        private OnPool(int count)
        {
            _returned = new CountdownEvent(count);
            _errors = new Exception?[count];
        }

        public static OnPool Run(params Action[] calls)
        {
            var run = new OnPool(calls.Length);
            for (var i = 0; i < calls.Length; i++)
            {
                var index = i;
                ThreadPool.UnsafeQueueUserWorkItem(_ => run.Call(index, calls[index]), null);
            }

            return run;
        }

        public void AssertReturned(string what)
        {
            Assert.True(_returned.Wait(Bounded.Limit), $"{_returned.CurrentCount} of the {_errors.Length} {what} never returned: they needed a pool thread.");
            foreach (var error in _errors)
            {
                Assert.Null(error);
            }
        }

        private void Call(int index, Action call)
        {
            try
            {
                call();
            }
            catch (Exception ex)
            {
                _errors[index] = ex;
            }

            _returned.Signal();
        }
    }
}
