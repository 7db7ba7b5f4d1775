using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary><see cref="TokenOwner.GetEndCause"/>: why each token ended, for every way a token can end.</summary>
public sealed class TokenOwnerEndCauseTests
{
    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    public async Task GetEndCause_EveryEnd_ReportsItsCause(CallbackPlacement placement)
    {
        var time = new ManualTimeProvider();
        using var link = new CancellationTokenSource();
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time, CallbackPlacement = placement, OuterToken = outer.Token });
        var slot = owner.CreateSlot();

        var renewed = await owner.RenewAsync().Within();
        var live = await owner.RenewAsync().Within();
        Assert.Equal(TokenEndCause.Live, owner.GetEndCause(live));
        Assert.Equal(TokenEndCause.Renewed, owner.GetEndCause(renewed));

        var timedOut = await slot.RenewAfterAsync(TimeSpan.FromSeconds(1)).Within();
        time.Advance(TimeSpan.FromSeconds(2));
        await Bounded.Cancelled(timedOut);
        Assert.Equal(TokenEndCause.TimedOut, owner.GetEndCause(timedOut));

        var bornTimedOut = await slot.RenewAfterAsync(TimeSpan.Zero).Within();
        Assert.Equal(TokenEndCause.TimedOut, owner.GetEndCause(bornTimedOut));

        var touchedToZero = await slot.RenewAsync().Within();
        Assert.True(await slot.TouchAsync(TimeSpan.Zero).Within());
        Assert.Equal(TokenEndCause.TimedOut, owner.GetEndCause(touchedToZero));

        var linked = await slot.RenewLinkedAsync(link.Token).Within();
        link.Cancel();
        await Bounded.Cancelled(linked);
        await Bounded.Until(() => owner.GetEndCause(linked) == TokenEndCause.LinkCancelled, "the link's end is recorded");

        var bornLinkCancelled = await slot.RenewLinkedAsync(link.Token).Within();
        Assert.Equal(TokenEndCause.LinkCancelled, owner.GetEndCause(bornLinkCancelled));

        var cancelled = await slot.RenewAsync().Within();
        await slot.CancelAndDisposeAsync().Within();
        Assert.Equal(TokenEndCause.Cancelled, owner.GetEndCause(cancelled));

        var all = await slot.RenewAsync().Within();
        await owner.CancelAllAsync().Within();
        Assert.Equal(TokenEndCause.CancelledAll, owner.GetEndCause(all));
        Assert.Equal(TokenEndCause.CancelledAll, owner.GetEndCause(live));

        var retired = await slot.RenewAsync().Within();
        await slot.DisposeAsync().Within();
        Assert.Equal(TokenEndCause.SlotDisposed, owner.GetEndCause(retired));

        var ended = await owner.RenewAsync().Within();
        outer.Cancel();
        await owner.Completion.Within();
        Assert.Equal(TokenEndCause.OwnerEnded, owner.GetEndCause(ended));

        // Once ended, a cause never changes.
        Assert.Equal(TokenEndCause.Renewed, owner.GetEndCause(renewed));
    }

    [Fact]
    [Trait("Guarantee", "7")]
    public async Task GetEndCause_ExplicitDispose_OwnerDisposed()
    {
        var owner = new TokenOwner();
        var token = await owner.CreateSlot().RenewAsync().Within();

        await owner.DisposeAsync().Within();

        Assert.Equal(TokenEndCause.OwnerDisposed, owner.GetEndCause(token));
    }

    [Fact]
    public async Task GetEndCause_TokensNotHandedOutByThisOwner_Unknown()
    {
        await using var owner = new TokenOwner();
        await using var other = new TokenOwner();
        using var plain = new CancellationTokenSource();
        var others = await other.RenewAsync().Within();
        await other.RenewAsync().Within();

        Assert.Equal(TokenEndCause.Unknown, owner.GetEndCause(CancellationToken.None));
        Assert.Equal(TokenEndCause.Unknown, owner.GetEndCause(new CancellationToken(canceled: true)));
        Assert.Equal(TokenEndCause.Unknown, owner.GetEndCause(plain.Token));
        Assert.Equal(TokenEndCause.Unknown, owner.GetEndCause(others));
        Assert.Equal(TokenEndCause.Renewed, other.GetEndCause(others));
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    public async Task GetEndCause_ReadFromTheTokensOwnCallback_AlreadySet(CallbackPlacement placement)
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = placement });
        var token = await owner.RenewAsync().Within();
        var seen = new TaskCompletionSource<TokenEndCause>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => seen.TrySetResult(owner.GetEndCause(token)));

        await owner.CancelAndDisposeAsync().Within();

        Assert.Equal(TokenEndCause.Cancelled, await seen.Task.Within());
    }

    [Fact]
    public async Task GetEndCause_RenewOwnedAndFactorySources_AnswerToo()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());
        var fromFactory = await owner.RenewAsync().Within();
        var owned = await owner.RenewOwnedAsync(new CancellationTokenSource()).Within();
        Assert.Equal(TokenEndCause.Renewed, owner.GetEndCause(fromFactory));
        Assert.Equal(TokenEndCause.Live, owner.GetEndCause(owned));

        await owner.CancelAndDisposeAsync().Within();
        Assert.Equal(TokenEndCause.Cancelled, owner.GetEndCause(owned));

        using var alreadyCancelled = new CancellationTokenSource();
        alreadyCancelled.Cancel();
        var born = await owner.RenewOwnedAsync(alreadyCancelled).Within();
        Assert.Equal(TokenEndCause.Cancelled, owner.GetEndCause(born));
    }
}
