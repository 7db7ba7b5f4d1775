using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary>The synchronous forms: the async forms' semantics, with the reply waited for on the caller's thread.</summary>
public sealed class TokenOwnerSynchronousTests : IDisposable
{
    private readonly PumpContext _context = new();

    public static TheoryData<CallbackPlacement> Placements => new() { CallbackPlacement.Inline, CallbackPlacement.ThreadPool, CallbackPlacement.SynchronizationContext };

    public void Dispose() => _context.Dispose();

    [Theory]
    [MemberData(nameof(Placements))]
    [Trait("Guarantee", "3")]
    public async Task EveryRenewForm_PreviousTokenCancelledOnReturn_NewOneLive(CallbackPlacement placement)
    {
        var time = new ManualTimeProvider();
        using var link = new CancellationTokenSource();
        await using var owner = Create(placement, time);
        var slot = owner.CreateSlot();
        var tokens = await Task.Run(() =>
        {
            var callbackRan = 0;
            var t0 = owner.Renew();
            t0.Register(() => Interlocked.Increment(ref callbackRan));
            var t1 = owner.RenewAfter(TimeSpan.FromSeconds(5));
            Assert.True(t0.IsCancellationRequested);
            Assert.Equal(1, Volatile.Read(ref callbackRan));
            var t2 = owner.RenewLinked(link.Token);
            Assert.True(t1.IsCancellationRequested);
            var t3 = owner.RenewLinkedAfter(TimeSpan.FromSeconds(5), link.Token);
            Assert.True(t2.IsCancellationRequested);
            var source = new CancellationTokenSource();
            var t4 = owner.RenewOwned(source);
            Assert.True(t3.IsCancellationRequested);
            Assert.Equal(source.Token, t4);
            Assert.True(owner.IsCurrent(t4));

            var s0 = slot.Renew();
            var s1 = slot.RenewAfter(TimeSpan.FromSeconds(1));
            Assert.True(s0.IsCancellationRequested);
            return (t4, s1);
        }).Within();

        time.Advance(TimeSpan.FromSeconds(2));
        await Bounded.Cancelled(tokens.s1);
        Assert.Equal(TokenEndCause.TimedOut, owner.GetEndCause(tokens.s1));
        Assert.True(owner.IsCurrent(tokens.t4));
    }

    [Theory]
    [MemberData(nameof(Placements))]
    [Trait("Guarantee", "2")]
    public async Task CancelAndDisposeTouchCancelAll_SameAnswersAsAsyncForms(CallbackPlacement placement)
    {
        var time = new ManualTimeProvider();
        await using var owner = Create(placement, time);
        var slot = owner.CreateSlot();
        await Task.Run(() =>
        {
            Assert.False(owner.Touch(TimeSpan.FromSeconds(1)));
            var t0 = owner.Renew();
            Assert.True(owner.Touch(TimeSpan.FromSeconds(1)));
            owner.CancelAndDispose();
            Assert.True(t0.IsCancellationRequested);
            Assert.Equal(TokenEndCause.Cancelled, owner.GetEndCause(t0));
            Assert.False(owner.Touch(TimeSpan.FromSeconds(1)));

            var s0 = slot.Renew();
            Assert.True(slot.Touch(TimeSpan.Zero));
            Assert.True(s0.IsCancellationRequested);

            var a = owner.Renew();
            var b = slot.Renew();
            owner.CancelAll();
            Assert.True(a.IsCancellationRequested);
            Assert.True(b.IsCancellationRequested);
            Assert.Equal(TokenEndCause.CancelledAll, owner.GetEndCause(b));
            slot.CancelAndDispose();
        }).Within();
    }

    [Fact]
    [Trait("Guarantee", "5")]
    public void Renew_IdleInlineOwner_CompletesOnTheCallersThread()
    {
        using var owner = new TokenOwner();
        var t0 = owner.Renew();
        var ranOn = -1;
        t0.Register(() => ranOn = Environment.CurrentManagedThreadId);

        owner.Renew();

        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    [Trait("Guarantee", "3")]
    [Trait("Guarantee", "5")]
    public async Task Renew_BusyOwner_BlocksUntilItsReply(CallbackPlacement placement)
    {
        await using var owner = Create(placement, null);
        var slot = owner.CreateSlot();
        var busy = await slot.RenewAsync().Within();
        using var hold = PathHold.On(busy);

        // The callback holds the path (Inline) or the slot's end (ThreadPool) while a synchronous renew waits.
        var ending = Task.Run(() => slot.Renew());
        await hold.Entered;
        var blocked = Task.Run(() => slot.Renew());
        await Task.Delay(50);
        Assert.False(blocked.IsCompleted);

        hold.Release();
        var last = await blocked.Within();
        Assert.True((await ending.Within()).IsCancellationRequested);
        Assert.True(slot.IsCurrent(last));
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    [Trait("Guarantee", "5")]
    public async Task SynchronousForms_FromACallbackOfTheOwnersOwnToken_ThrowNamingTheAsyncForm(CallbackPlacement placement)
    {
        await using var owner = Create(placement, null);
        var slot = owner.CreateSlot();
        var token = await owner.RenewAsync().Within();
        var errors = new TaskCompletionSource<Exception?[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => errors.TrySetResult(
        [
            Record.Exception(() => owner.Renew()),
            Record.Exception(() => slot.RenewAfter(TimeSpan.FromSeconds(1))),
            Record.Exception(() => owner.RenewLinked(CancellationToken.None)),
            Record.Exception(() => owner.CancelAndDispose()),
            Record.Exception(() => owner.Touch(TimeSpan.FromSeconds(1))),
            Record.Exception(() => owner.CancelAll()),
        ]));

        await owner.CancelAndDisposeAsync().Within();

        var seen = await errors.Task.Within();
        var names = new[] { "RenewAsync", "RenewAfterAsync", "RenewLinkedAsync", "CancelAndDisposeAsync", "TouchAsync", "CancelAllAsync" };
        for (var i = 0; i < seen.Length; i++)
        {
            var error = Assert.IsType<InvalidOperationException>(seen[i]);
            Assert.Contains(names[i], error.Message, StringComparison.Ordinal);
        }

        // Nothing was queued by the refused calls: the owner is as it was.
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        Assert.True(owner.IsCurrent(await owner.RenewAsync().Within()));
    }

    [Fact]
    [Trait("Guarantee", "5")]
    public async Task Renew_SynchronizationContextPlacementCalledOnThatContext_DoesNotWaitForItself()
    {
        var owner = await _context.Run(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext }));
        var ranOn = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = await _context.Run(() =>
        {
            var first = owner.Renew();
            first.Register(() => ranOn.TrySetResult(Environment.CurrentManagedThreadId));
            var second = owner.Renew();
            Assert.True(first.IsCancellationRequested);
            return second;
        });

        Assert.Equal(_context.ThreadId, await ranOn.Task.Within());
        Assert.True(owner.IsCurrent(next));
        await owner.DisposeAsync().Within();
    }

    [Fact]
    [Trait("Guarantee", "6")]
    public void Renew_StrictModeCallbackThrows_ThrowsHereAndTheNewTokenIsInstalled()
    {
        using var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        var t0 = owner.Renew();
        t0.Register(() => throw new InvalidOperationException("planted"));

        var error = Assert.ThrowsAny<Exception>(() => owner.Renew());

        Assert.Contains("planted", error.ToString(), StringComparison.Ordinal);
        Assert.True(t0.IsCancellationRequested);
        Assert.True(owner.Touch(TimeSpan.FromSeconds(1)), "the renew installed its token before it threw");
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task SynchronousForms_AfterDisposeAndAfterTheEndOfLife_LikeTheAsyncForms()
    {
        var disposed = new TokenOwner();
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.Renew());
        Assert.Throws<ObjectDisposedException>(() => disposed.RenewAfter(TimeSpan.FromSeconds(1)));
        var given = new CancellationTokenSource();
        Assert.Throws<ObjectDisposedException>(() => disposed.RenewOwned(given));
        Assert.Throws<ObjectDisposedException>(() => given.Token);
        disposed.CancelAndDispose();
        disposed.CancelAll();
        Assert.False(disposed.Touch(TimeSpan.FromSeconds(1)));

        var ended = new TokenOwner(new CancellationToken(canceled: true));
        var token = ended.Renew();
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(TokenEndCause.OwnerEnded, ended.GetEndCause(token));
        Assert.True(ended.CreateSlot().RenewLinked(CancellationToken.None).IsCancellationRequested);
        await ended.Completion.Within();
    }

    [Fact]
    [Trait("Guarantee", "8")]
    public void SynchronousForms_BadInput_ThrowAtTheCallSite()
    {
        using var owner = new TokenOwner();
        Assert.Throws<ArgumentOutOfRangeException>(() => owner.RenewAfter(TimeSpan.FromMilliseconds(-2)));
        Assert.Throws<ArgumentNullException>(() => owner.RenewLinked(null!));
        Assert.Throws<ArgumentNullException>(() => owner.RenewOwned(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => owner.Touch(TimeSpan.FromMilliseconds(-2)));
        Assert.True(owner.IsCurrent(owner.RenewLinked()));
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task SynchronousRenewsBesideAsyncOnes_ThreadPool_CompletionStaysPendingWhileTheOwnerLives()
    {
        // A helping synchronous caller may finish a retirement before the processing path has returned
        // from answering: the retirement must be counted before it is offered, or Completion completes early.
        for (var round = 0; round < 5; round++)
        {
            var owner = Create(CallbackPlacement.ThreadPool, null);
            using var stop = new CancellationTokenSource();
            var asyncLoop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await owner.RenewAsync();
                }
            });
            var earlyAt = await Task.Run(() =>
            {
                for (var i = 0; i < 2000; i++)
                {
                    owner.Renew();
                    if (owner.Completion.IsCompleted)
                    {
                        return i;
                    }
                }

                return -1;
            }).Within();
            stop.Cancel();
            await asyncLoop.Within();

            Assert.True(earlyAt < 0 && !owner.Completion.IsCompleted, $"Completion completed while the owner lives (round {round}, renew {earlyAt}).");
            await owner.DisposeAsync().Within();
            await owner.Completion.Within();
        }
    }

    private TokenOwner Create(CallbackPlacement placement, TimeProvider? time) => new(_context.Options(placement, time: time));
}
