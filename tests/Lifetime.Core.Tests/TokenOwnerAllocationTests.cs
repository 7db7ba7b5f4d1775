using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary>
/// What the common operations allocate on an idle owner, counted on the calling thread (the synchronous
/// forms run there): a renew only its source, a linked renew no more, a slot with a deadline at most
/// 120 bytes with its source, a touch nothing (the contract's performance targets, not guarantees).
/// Averages over many operations, after a warm-up.
/// </summary>
public sealed class TokenOwnerAllocationTests
{
    private const int Count = 10_000;

    // The owner's source: a CancellationTokenSource with one more field (OwnedSource.End).
    private const double SourceBytes = 56;

    [Fact]
    public void Renew_IdleOwner_AllocatesOnlyTheNewSource()
    {
        using var owner = new TokenOwner();
        Assert.InRange(BytesPer(() => owner.Renew()), 0, SourceBytes);
    }

    [Fact]
    public void RenewLinked_OneLink_AllocatesOnlyTheNewSource()
    {
        // The caller's array is reused here, so what is counted is the owner's own cost: no copy of the
        // array and no object per registration.
        using var owner = new TokenOwner();
        using var link = new CancellationTokenSource();
        var links = new[] { link.Token };
        Assert.InRange(BytesPer(() => owner.RenewLinked(links)), 0, SourceBytes);
    }

    [Fact]
    public void SlotWithDeadline_CostsAtMost120BytesWithItsSource()
    {
        var time = new ManualTimeProvider();
        using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var slots = new TokenSlot[Count + Warmup];
        var next = 0;
        Assert.InRange(BytesPer(() =>
        {
            var slot = owner.CreateSlot();
            slot.RenewAfter(TimeSpan.FromMinutes(30));
            slots[next++] = slot;
        }), 0, 120.5);
    }

    [Fact]
    public void Touch_LiveTokenWithDeadline_AllocatesNothing()
    {
        var time = new ManualTimeProvider();
        using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        owner.RenewAfter(TimeSpan.FromMinutes(30));
        Assert.InRange(BytesPer(() => Assert.True(owner.Touch(TimeSpan.FromMinutes(30)))), 0, 0.5);
    }

    [Fact]
    public async Task RenewAsync_SeveralPostedAtOnce_ReuseTheirOperations()
    {
        // Callers contending for one owner post their renews; each posted renew needs an operation until
        // it is answered. Once answered and consumed, the operations are kept for the next burst, so a
        // second burst of posts allocates nothing on the posting thread.
        const int Burst = 4;
        using var owner = new TokenOwner();
        var renews = new ValueTask<CancellationToken>[Burst];
        var allocated = new long[2];
        for (var round = 0; round < allocated.Length; round++)
        {
            var current = await owner.RenewAsync().AsTask().WaitAsync(Bounded.Limit);
            using var hold = PathHold.On(current);
            var ending = Task.Run(owner.CancelAndDispose);
            await hold.Entered;

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Burst; i++)
            {
                renews[i] = owner.RenewAsync();
            }

            allocated[round] = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.All(renews, renew => Assert.False(renew.IsCompleted, "The path was held: every renew had to be posted."));
            hold.Release();
            foreach (var renew in renews)
            {
                await renew.AsTask().WaitAsync(Bounded.Limit);
            }

            await ending.WaitAsync(Bounded.Limit);
        }

        Assert.True(allocated[0] > 0, "The first burst had no operations to reuse: it must have made them.");
        Assert.Equal(0, allocated[1]);
    }

    private const int Warmup = 1_000;

    private static double BytesPer(Action operation)
    {
        for (var i = 0; i < Warmup; i++)
        {
            operation();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Count; i++)
        {
            operation();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Count;
    }
}
