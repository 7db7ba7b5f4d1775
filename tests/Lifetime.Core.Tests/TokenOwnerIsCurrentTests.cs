using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary>IsCurrent: true only for the slot's live token; false once cancelled for any reason.</summary>
public sealed class TokenOwnerIsCurrentTests
{

    [Fact]
    [Trait("Guarantee", "3")]
    public async Task IsCurrent_ForeignOrDefaultTokens_False()
    {
        await using var owner = new TokenOwner();
        using var foreign = new CancellationTokenSource();
        Assert.False(owner.IsCurrent(default));
        Assert.False(owner.IsCurrent(CancellationToken.None));
        Assert.False(owner.IsCurrent(new CancellationToken(true)));
        await owner.RenewAsync().Within();
        Assert.False(owner.IsCurrent(foreign.Token));
        Assert.False(owner.IsCurrent(default));
    }

    [Fact]
    [Trait("Guarantee", "3")]
    public async Task IsCurrent_TokenOfOtherSlot_False()
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var main = await owner.RenewAsync().Within();
        var other = await slot.RenewAsync().Within();
        Assert.False(owner.IsCurrent(other));
        Assert.False(slot.IsCurrent(main));
        Assert.True(slot.IsCurrent(other));
    }

    [Fact]
    [Trait("Guarantee", "3")]
    public async Task IsCurrent_AfterCancelAndDispose_False()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        await owner.CancelAndDisposeAsync().Within();
        Assert.False(owner.IsCurrent(token));
    }

    [Fact]
    [Trait("Guarantee", "3")]
    public async Task IsCurrent_AfterCancelAll_False()
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();
        await owner.CancelAllAsync().Within();
        Assert.False(slot.IsCurrent(token));
    }

    [Fact]
    [Trait("Guarantee", "3")]
    [Trait("Guarantee", "4")]
    public async Task IsCurrent_AfterTimeout_FalseAsSoonAsCancelled()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(10)).Within();
        // The callback itself completes the wait, so the test cannot go on before it has run.
        var insideCallback = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => insideCallback.TrySetResult(owner.IsCurrent(token)));
        time.Advance(TimeSpan.FromMilliseconds(30));
        Assert.False(await insideCallback.Task.Within());
        Assert.False(owner.IsCurrent(token));
    }

    [Fact]
    [Trait("Guarantee", "3")]
    [Trait("Guarantee", "4")]
    public async Task IsCurrent_LinkFired_FalseOnceCancelledEvenBeforeOwnerProcessedIt()
    {
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.ThreadPool });
        var token = await owner.RenewLinkedAsync(link.Token).Within();
        link.Cancel();
        await Bounded.Cancelled(token);
        Assert.False(owner.IsCurrent(token));
    }

    [Fact]
    [Trait("Guarantee", "3")]
    public async Task IsCurrent_BornCancelled_False()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewAfterAsync(TimeSpan.Zero).Within();
        Assert.False(owner.IsCurrent(token));
        var linked = await owner.RenewLinkedAsync(new CancellationToken(true)).Within();
        Assert.False(owner.IsCurrent(linked));
    }

    [Fact]
    [Trait("Guarantee", "3")]
    public async Task IsCurrent_OwnedSource_TrueWhileLive()
    {
        await using var owner = new TokenOwner();
        using var source = new CancellationTokenSource();
        var token = await owner.RenewOwnedAsync(source).Within();
        Assert.True(owner.IsCurrent(source.Token));
        Assert.True(owner.IsCurrent(token));
        await owner.RenewAsync().Within();
        Assert.False(owner.IsCurrent(token));
    }

    [Fact]
    [Trait("Guarantee", "3")]
    [Trait("Guarantee", "7")]
    public async Task IsCurrent_AfterDisposeAndRetire_FalseAndNeverThrows()
    {
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var slotToken = await slot.RenewAsync().Within();
        await slot.DisposeAsync().Within();
        Assert.False(slot.IsCurrent(slotToken));
        var token = await owner.RenewAsync().Within();
        await owner.DisposeAsync().Within();
        Assert.False(owner.IsCurrent(token));
        Assert.False(owner.IsCurrent(default));
        Assert.False(slot.IsCurrent(default));
    }

    [Fact]
    [Trait("Guarantee", "3")]
    [Trait("Guarantee", "5")]
    public async Task IsCurrent_InsideCallbackOfRenew_FalseForEndedToken()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.ThreadPool });
        var token = await owner.RenewAsync().Within();
        var inside = true;
        token.Register(() => inside = owner.IsCurrent(token));
        await owner.RenewAsync().Within();
        Assert.False(inside);
    }

    [Fact]
    [Trait("Guarantee", "3")]
    public async Task IsCurrent_TokenOfAnotherOwner_False()
    {
        await using var first = new TokenOwner();
        await using var second = new TokenOwner();
        var token = await first.RenewAsync().Within();
        await second.RenewAsync().Within();

        Assert.True(first.IsCurrent(token));
        Assert.False(second.IsCurrent(token));
    }
}
