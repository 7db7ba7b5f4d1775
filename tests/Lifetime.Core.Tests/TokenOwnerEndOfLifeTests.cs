using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary>
/// Guarantee 7 (v2): an owner whose life ended (its outer token fired) answers renews with an
/// already-cancelled token, while an explicit disposal still makes them throw; the first of the two decides.
/// </summary>
public sealed class TokenOwnerEndOfLifeTests
{
    public static IEnumerable<object[]> RenewVariants() => Variants.Renews();

    [Theory]
    [MemberData(nameof(RenewVariants))]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Renew_OuterTokenAlreadyCancelledAtConstruction_CancelledTokenNoSource(string variant)
    {
        var counter = new SourceCounter();
        var options = counter.Options();
        options.OuterToken = new CancellationToken(canceled: true);
        var owner = new TokenOwner(options);

        var token = await Variants.Renew(owner, variant, counter).Within();

        // No source of the owner's own; a source handed over is ended and disposed.
        AssertEndedByEndOfLife(owner, token);
        Assert.Equal(variant == "RenewOwned" ? 1 : 0, counter.Created);
        counter.AssertBalanced();
        await owner.Completion.Within();
        Assert.True((await owner.CreateSlot().RenewAsync().Within()).IsCancellationRequested);
    }

    [Theory]
    [MemberData(nameof(RenewVariants))]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task Renew_AfterOuterTokenFired_CancelledTokenOnOwnerAndEverySlot(string variant)
    {
        using var outer = new CancellationTokenSource();
        var counter = new SourceCounter();
        var options = counter.Options();
        options.OuterToken = outer.Token;
        var owner = new TokenOwner(options);
        var before = owner.CreateSlot();
        var live = await before.RenewAsync().Within();

        outer.Cancel();
        await owner.Completion.Within();
        var created = counter.Created;

        Assert.Equal(TokenEndCause.OwnerEnded, owner.GetEndCause(live));
        AssertEndedByEndOfLife(owner, await Variants.Renew(owner, variant, counter).Within());
        AssertEndedByEndOfLife(owner, await Variants.Renew(before, variant, counter).Within());
        AssertEndedByEndOfLife(owner, await Variants.Renew(owner.CreateSlot(), variant, counter).Within());
        Assert.Equal(created + (variant == "RenewOwned" ? 3 : 0), counter.Created);
        counter.AssertBalanced();
    }

    [Theory]
    [MemberData(nameof(RenewVariants))]
    [Trait("Guarantee", "7")]
    public async Task Renew_ExplicitDisposeThenOuterTokenFires_StillThrows(string variant)
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        var slot = owner.CreateSlot();
        await owner.DisposeAsync().Within();
        outer.Cancel();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await Variants.Renew(owner, variant));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await Variants.Renew(slot, variant));
        Assert.Throws<ObjectDisposedException>(() => owner.CreateSlot());
    }

    [Theory]
    [MemberData(nameof(RenewVariants))]
    [Trait("Guarantee", "7")]
    public async Task Renew_OuterTokenFiresThenExplicitDispose_StillCancelledToken(string variant)
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        var slot = owner.CreateSlot();
        outer.Cancel();
        await owner.DisposeAsync().Within();
        owner.Dispose();
        await slot.DisposeAsync().Within();

        AssertEndedByEndOfLife(owner, await Variants.Renew(owner, variant).Within());
        AssertEndedByEndOfLife(owner, await Variants.Renew(slot, variant).Within());
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task Renew_SlotRetiredBeforeTheEndOfLife_StillThrows()
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        var slot = owner.CreateSlot();
        await slot.DisposeAsync().Within();
        outer.Cancel();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await slot.RenewAsync());
        AssertEndedByEndOfLife(owner, await owner.RenewAsync().Within());
    }

    [Fact]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task RenewOwned_AfterTheEndOfLife_EndsTheGivenSourceAndReturnsItsToken()
    {
        var owner = new TokenOwner(new CancellationToken(canceled: true));
        var source = new TrackedSource();
        var ran = false;
        source.Token.Register(() => ran = owner.GetEndCause(source.Issued) == TokenEndCause.OwnerEnded);

        var token = await owner.RenewOwnedAsync(source).Within();

        Assert.Equal(source.Issued, token);
        Assert.True(ran, "the source's callback ran, and read OwnerEnded");
        Assert.Equal(1, source.DisposeCalls);
        Assert.Equal(1, source.CancelledBeforeDispose);
    }

    [Fact]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task RenewsRacingTheEndOfLife_NeverThrow_EveryTokenEnded()
    {
        for (var round = 0; round < 100; round++)
        {
            using var outer = new CancellationTokenSource();
            var counter = new SourceCounter();
            var options = counter.Options();
            options.OuterToken = outer.Token;
            options.CallbackPlacement = (CallbackPlacement)(round % 2);
            var owner = new TokenOwner(options);
            using var start = new Barrier(3);
            var renewers = new Task<List<CancellationToken>>[2];
            for (var r = 0; r < renewers.Length; r++)
            {
                var slot = r == 0 ? null : owner.CreateSlot();
                renewers[r] = Task.Run(async () =>
                {
                    var tokens = new List<CancellationToken>();
                    start.SignalAndWait(Bounded.Limit);
                    for (var i = 0; i < 50; i++)
                    {
                        tokens.Add(await (slot is null ? owner.RenewAsync() : slot.RenewAfterAsync(TimeSpan.FromMinutes(1))));
                    }

                    return tokens;
                });
            }

            start.SignalAndWait(Bounded.Limit);
            outer.Cancel();
            foreach (var renewer in renewers)
            {
                foreach (var token in await renewer.Within())
                {
                    await Bounded.Cancelled(token);
                }
            }

            await owner.Completion.Within();
            Assert.Equal(counter.Created, counter.Disposed);
        }
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task CleanupCalls_AfterTheEndOfLife_HarmlessNoOps()
    {
        var owner = new TokenOwner(new CancellationToken(canceled: true));
        var slot = owner.CreateSlot();
        for (var round = 0; round < 2; round++)
        {
            await owner.CancelAndDisposeAsync().Within();
            await owner.CancelAllAsync().Within();
            Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
            Assert.False(await slot.TouchAsync(TimeSpan.Zero).Within());
            await slot.CancelAndDisposeAsync().Within();
            await slot.DisposeAsync().Within();
            slot.Dispose();
            await owner.DisposeAsync().Within();
            owner.Dispose();
        }

        await owner.Completion.Within();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "3")]
    public async Task Renew_AfterTheEndOfLifeWithDispatchedEndsNotRunYet_AnswersOnlyOnceTheyRan(bool synchronous)
    {
        var context = new QueueOnlyContext();
        using var outer = new CancellationTokenSource();
        var owner = context.CreateOwner(outer.Token);
        var t0 = await context.SettleAsync(owner.RenewAsync());

        outer.Cancel();
        var renew = synchronous ? Task.Run(() => owner.Renew()) : owner.RenewAsync().AsTask();

        // The end of t0 is posted but has not run: the renew must not answer before it.
        await Task.Delay(50);
        Assert.False(t0.IsCancellationRequested);
        Assert.False(renew.IsCompleted);

        context.RunAll();
        AssertEndedByEndOfLife(owner, await renew.Within());
        Assert.True(t0.IsCancellationRequested);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "5")]
    public async Task SlotDispose_AfterTheEndOfLifeBeforeItIsProcessed_ReturnsOnlyOnceTheSlotsTokenEnded(bool synchronous)
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();

        // Hold the processing path in a callback, so that the end of life is decided but not yet processed.
        var busy = await owner.RenewAsync().Within();
        using var hold = PathHold.On(busy);
        var holder = Task.Run(() => owner.RenewAsync().AsTask());
        await hold.Entered;
        outer.Cancel();

        var disposing = synchronous ? Task.Run(slot.Dispose) : slot.DisposeAsync().AsTask();
        await Task.Delay(50);
        Assert.False(disposing.IsCompleted);
        Assert.False(token.IsCancellationRequested);

        hold.Release();
        await disposing.Within();
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(TokenEndCause.OwnerEnded, owner.GetEndCause(token));
        Assert.True((await holder.Within()).IsCancellationRequested);
    }

    private static void AssertEndedByEndOfLife(TokenOwner owner, CancellationToken token)
    {
        Assert.True(token.CanBeCanceled);
        Assert.True(token.IsCancellationRequested);
        Assert.False(owner.IsCurrent(token));
        Assert.Equal(TokenEndCause.OwnerEnded, owner.GetEndCause(token));
    }

    [Fact]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
    public async Task OuterToken_Cancelled_OwnerEndsItsLife()
    {
        var counter = new SourceCounter();
        using var outer = new CancellationTokenSource();
        var options = counter.Options();
        options.OuterToken = outer.Token;
        var owner = new TokenOwner(options);
        var slot = owner.CreateSlot();
        var a = await owner.RenewAsync().Within();
        var b = await slot.RenewAsync().Within();
        outer.Cancel();
        Assert.True(a.IsCancellationRequested);
        Assert.True(b.IsCancellationRequested);
        await owner.Completion.Within();
        counter.AssertBalanced();
        Assert.True((await owner.RenewAsync().Within()).IsCancellationRequested);
        Assert.True((await slot.RenewAsync().Within()).IsCancellationRequested);
        Assert.True((await owner.CreateSlot().RenewAsync().Within()).IsCancellationRequested);
        await owner.DisposeAsync().Within();
        owner.Dispose();
        await owner.CancelAllAsync().Within();
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task OuterToken_ConstructorOverload_BindsLikeOptions()
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        var token = await owner.RenewAsync().Within();
        outer.Cancel();
        await owner.Completion.Within();
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(TokenEndCause.OwnerEnded, owner.GetEndCause(token));
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task OuterToken_CancelledAfterOwnerDisposed_Harmless()
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        await owner.RenewAsync().Within();
        await owner.DisposeAsync().Within();
        Assert.Null(Record.Exception(() => outer.Cancel()));
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }
}
