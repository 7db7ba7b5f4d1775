using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

public sealed class TokenOwnerLinkTests
{
    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "2")]
    public async Task RenewLinkedAsync_LinkCancelled_EndsTokenBeforeCancelReturns()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());
        using var external = new CancellationTokenSource();
        var token = await owner.RenewLinkedAsync(external.Token).Within();

        external.Cancel();

        Assert.True(token.IsCancellationRequested);
        Assert.False(owner.IsCurrent(token));
        counter.AssertBalanced();
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewLinkedAsync_AnyOfSeveralLinks_EndsToken()
    {
        await using var owner = new TokenOwner();
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        var token = await owner.RenewLinkedAsync(a.Token, CancellationToken.None, b.Token).Within();

        b.Cancel();

        Assert.True(token.IsCancellationRequested);
        Assert.False(owner.IsCurrent(token));
        a.Cancel();
    }

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "3")]
    public async Task RenewLinkedAsync_AlreadyCancelledLink_TokenBornCancelled()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());
        var previous = await owner.RenewAsync().Within();

        var token = await owner.RenewLinkedAsync(CancellationToken.None, new CancellationToken(canceled: true)).Within();

        Assert.True(previous.IsCancellationRequested);
        Assert.True(token.IsCancellationRequested);
        Assert.False(owner.IsCurrent(token));
        counter.AssertBalanced();
    }

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "3")]
    public async Task RenewLinkedAsync_OnlyUncancellableLinks_LiveToken()
    {
        await using var owner = new TokenOwner();

        var token = await owner.RenewLinkedAsync(CancellationToken.None, default).Within();

        Assert.False(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Guarantee", "4")]
    public async Task RenewLinked_SameLinksAsThePreviousToken_RegistrationKeptAndStillEndsTheNewToken(bool synchronous)
    {
        // Uncancellable links are no links: [None, link] follows the same links as [link].
        await using var owner = new TokenOwner();
        using var link = new CancellationTokenSource();
        var first = await Renew(owner, synchronous, link.Token);
        var registration = owner.DefaultSlotForTests.FirstLinkRegistrationForTests;

        var second = await Renew(owner, synchronous, CancellationToken.None, link.Token);

        Assert.Equal(registration, owner.DefaultSlotForTests.FirstLinkRegistrationForTests);
        Assert.Equal(TokenEndCause.Renewed, owner.GetEndCause(first));
        link.Cancel();
        Assert.True(second.IsCancellationRequested);
        Assert.Equal(TokenEndCause.LinkCancelled, owner.GetEndCause(second));
        Assert.True(LinkIsGone(owner));
    }

    [Theory]
    [InlineData("other link")]
    [InlineData("reordered")]
    [InlineData("one more")]
    [InlineData("one fewer")]
    [InlineData("none")]
    [Trait("Guarantee", "4")]
    public async Task RenewLinked_OtherLinksThanThePreviousToken_OldLinksNoLongerEndIt(string change)
    {
        await using var owner = new TokenOwner();
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        using var c = new CancellationTokenSource();
        _ = await owner.RenewLinkedAsync(a.Token, b.Token).Within();
        var registration = owner.DefaultSlotForTests.FirstLinkRegistrationForTests;
        CancellationToken[] next = change switch
        {
            "other link" => [c.Token],
            "reordered" => [b.Token, a.Token],
            "one more" => [a.Token, b.Token, c.Token],
            "one fewer" => [a.Token],
            _ => [],
        };

        var token = await owner.RenewLinkedAsync(next).Within();

        Assert.NotEqual(registration, owner.DefaultSlotForTests.FirstLinkRegistrationForTests);
        foreach (var gone in new[] { a, b }.Where(source => !next.Contains(source.Token)))
        {
            gone.Cancel();
        }

        Assert.False(token.IsCancellationRequested, "A link the new token does not follow ended it.");
        foreach (var source in new[] { a, b, c }.Where(source => next.Contains(source.Token)))
        {
            source.Cancel();
            Assert.True(token.IsCancellationRequested, "A link the new token follows did not end it.");
        }
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewLinked_SameLinkCancelledOnAnotherThreadDuringTheRenew_NewTokenEnds()
    {
        // The renew keeps the link's registration: whether the cancel comes before the renew looks at the
        // link (born ended) or after (the kept registration posts), the new token must end by its link.
        for (var i = 0; i < 2_000; i++)
        {
            await using var owner = new TokenOwner();
            using var link = new CancellationTokenSource();
            _ = owner.RenewLinked(link.Token);
            using var go = new ManualResetEventSlim();
            var canceller = Task.Run(() =>
            {
                go.Wait();
                link.Cancel();
            });

            go.Set();
            var token = i % 2 == 0 ? owner.RenewLinked(link.Token) : await owner.RenewLinkedAsync(link.Token).Within();
            await canceller.Within();

            await Bounded.Cancelled(token);
            Assert.Equal(TokenEndCause.LinkCancelled, owner.GetEndCause(token));
            Assert.True(LinkIsGone(owner), $"Round {i}: a registration was left on the cancelled link.");
        }
    }

    private static async Task<CancellationToken> Renew(TokenOwner owner, bool synchronous, params CancellationToken[] links) =>
        synchronous ? owner.RenewLinked(links) : await owner.RenewLinkedAsync(links).Within();

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "3")]
    public async Task RenewLinkedAsync_LinkOfRenewedToken_IgnoredWhenItFires()
    {
        await using var owner = new TokenOwner();
        using var external = new CancellationTokenSource();
        var linked = await owner.RenewLinkedAsync(external.Token).Within();
        var token = await owner.RenewAsync().Within();
        Assert.True(linked.IsCancellationRequested);

        external.Cancel();

        Assert.False(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(token));
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewLinkedAfterAsync_TimeoutFirst_EndsToken()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        using var external = new CancellationTokenSource();
        var token = await owner.RenewLinkedAfterAsync(TimeSpan.FromSeconds(1), external.Token).Within();

        time.Advance(TimeSpan.FromSeconds(1.02));

        Assert.True(token.IsCancellationRequested);
        Assert.Equal(0, time.ArmedTimers);
        Assert.True(LinkIsGone(owner));
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewLinkedAfterAsync_LinkFirst_EndsTokenAndDisarmsDeadline()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        using var external = new CancellationTokenSource();
        var token = await owner.RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), external.Token).Within();

        external.Cancel();

        Assert.True(token.IsCancellationRequested);
        Assert.Equal(0, time.ArmedTimers);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Guarantee", "4")]
    public async Task LinkCancelled_MessageArrivesAfterRenew_NewTokenStaysLive(bool newTokenLinked)
    {
        // The link's message about the first token is queued behind a renew: when it is processed, the
        // live token is the second one, whose own links are not cancelled, so it must stay live.
        await using var owner = new TokenOwner();
        var other = owner.CreateSlot();
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var firstToken = await owner.RenewLinkedAsync(first.Token).Within();

        var busy = await other.RenewAsync().Within();
        using var hold = PathHold.On(busy);
        var holder = Task.Run(() => other.CancelAndDisposeAsync().AsTask());
        await hold.Entered;
        var renew = newTokenLinked ? owner.RenewLinkedAsync(second.Token).AsTask() : owner.RenewAsync().AsTask();
        first.Cancel();
        var after = other.RenewAsync().AsTask();
        hold.Release();

        var secondToken = await renew.Within();
        await after.Within();
        await holder.Within();
        Assert.Equal(TokenEndCause.Renewed, owner.GetEndCause(firstToken));
        Assert.False(secondToken.IsCancellationRequested);
        Assert.True(owner.IsCurrent(secondToken));

        second.Cancel();
        Assert.Equal(newTokenLinked, secondToken.IsCancellationRequested);
    }

    [Theory]
    [InlineData("renew")]
    [InlineData("renew linked to it again, then cancel")]
    [InlineData("cancel")]
    [InlineData("dispose")]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "9")]
    public async Task Link_TokenEnded_RegistrationRemovedFromExternalToken(string how)
    {
        using var external = new CancellationTokenSource();
        var owner = await LinkEndAndTrack(external.Token, how);

        // The external source is alive; if it still held our registration, it would keep the owner (and
        // its slot) reachable: an owner with no pending trigger left must be collectable.
        await Collect(owner);
        GC.KeepAlive(external);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> LinkEndAndTrack(CancellationToken external, string how)
    {
        var owner = new TokenOwner();
        await owner.RenewLinkedAsync(external).Within();
        switch (how)
        {
            case "renew":
                await owner.RenewAsync().Within();
                break;
            case "renew linked to it again, then cancel":
                await owner.RenewLinkedAsync(external).Within();
                await owner.CancelAndDisposeAsync().Within();
                break;
            case "cancel":
                await owner.CancelAndDisposeAsync().Within();
                break;
            default:
                await owner.DisposeAsync().Within();
                break;
        }

        Assert.True(LinkIsGone(owner));
        return new WeakReference(owner);
    }

    private static object? LinkOf(TokenOwner owner) => owner.DefaultSlotForTests.FirstLink;

    private static bool LinkIsGone(TokenOwner owner) => LinkOf(owner) is null;

    internal static async Task Collect(WeakReference reference)
    {
        for (var i = 0; i < 20 && reference.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(10);
        }

        Assert.False(reference.IsAlive, "Still reachable after repeated collections.");
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewLinkedAsync_LinkedToOwnOtherSlot_CancelledWhenThatSlotRenews()
    {
        var factory = new TrackingFactory();
        var owner = new TokenOwner(factory.Options());
        var parent = owner.CreateSlot();
        var child = owner.CreateSlot();
        var parentToken = await parent.RenewAsync().Within();
        var childToken = await child.RenewLinkedAsync(parentToken).Within();
        await parent.RenewAsync().Within();
        await Bounded.Cancelled(childToken);
        await owner.CancelAllAsync().Within();
        Assert.False(await child.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewLinkedAfterAsync_TimeoutFirst_CancelledOnTime()
    {
        var time = new ManualTimeProvider();
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewLinkedAfterAsync(TimeSpan.FromMilliseconds(40), link.Token).Within();
        var moved = time.AdvanceUntilCancelled(token, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        Assert.InRange(moved.TotalMilliseconds, 40, 50);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "9")]
    public async Task RenewLinkedAsync_TokenRetired_RegistrationRemovedFromLink()
    {
        using var link = new CancellationTokenSource();
        await using var owner = new TokenOwner();
        await owner.RenewLinkedAsync(link.Token).Within();
        Assert.Equal(1, Registrations.Count(link));
        await owner.RenewAsync().Within();
        Assert.Equal(0, Registrations.Count(link));
        await owner.RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), link.Token).Within();
        await owner.CancelAndDisposeAsync().Within();
        Assert.Equal(0, Registrations.Count(link));
    }

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "9")]
    public async Task RenewLinkedAsync_OneLinkFires_RegistrationsOnOtherLinksRemoved()
    {
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        await using var owner = new TokenOwner();
        var token = await owner.RenewLinkedAsync(a.Token, b.Token).Within();
        a.Cancel();
        await Bounded.Cancelled(token);
        await Bounded.Until(() => Registrations.Count(b) == 0, "the other link's registration is removed");
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task RenewLinkedAsync_ArrayChangedAfterCall_NoEffect()
    {
        await using var owner = new TokenOwner();
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        var links = new[] { a.Token };
        var token = await owner.RenewLinkedAsync(links).Within();
        links[0] = b.Token;
        b.Cancel();
        Assert.False(token.IsCancellationRequested);
        a.Cancel();
        await Bounded.Cancelled(token);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "3")]
    public async Task RenewLinkedAfterAsync_OneOfSeveralLinksCancelled_BornCancelled()
    {
        await using var owner = new TokenOwner();
        using var live = new CancellationTokenSource();
        var token = await owner.RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), live.Token, new CancellationToken(true)).Within();
        Assert.True(token.IsCancellationRequested);
    }
}
