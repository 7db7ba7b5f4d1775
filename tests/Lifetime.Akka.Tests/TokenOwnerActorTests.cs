using System;
using System.Threading;
using System.Threading.Tasks;
using Akka;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

public sealed class TokenOwnerActorTests : LifetimeSpec
{
    [Fact]
    public async Task Renew_Twice_PreviousTokenCancelledNewLive()
    {
        var owner = Sys.ActorOf(TokenOwnerActor.Props(Counter.Options));

        var first = await owner.Ask<CancellationToken>(new TokenOwnerActor.Renew(), Bound);
        var second = await owner.Ask<CancellationToken>(new TokenOwnerActor.Renew(), Bound);

        Assert.True(first.IsCancellationRequested);
        Assert.False(second.IsCancellationRequested);
    }

    [Fact]
    public async Task Renew_DifferentSlots_TokensIndependent()
    {
        var owner = Sys.ActorOf(TokenOwnerActor.Props(Counter.Options));

        var a = await owner.Ask<CancellationToken>(new TokenOwnerActor.Renew("a"), Bound);
        var b = await owner.Ask<CancellationToken>(new TokenOwnerActor.Renew("b"), Bound);
        var d = await owner.Ask<CancellationToken>(new TokenOwnerActor.Renew(), Bound);
        await owner.Ask<Done>(new TokenOwnerActor.CancelAndDispose("a"), Bound);

        Assert.True(a.IsCancellationRequested);
        Assert.False(b.IsCancellationRequested);
        Assert.False(d.IsCancellationRequested);
    }

    [Fact]
    public async Task RenewAfter_Zero_TokenBornCancelled()
    {
        var owner = Sys.ActorOf(TokenOwnerActor.Props(Counter.Options));

        var token = await owner.Ask<CancellationToken>(new TokenOwnerActor.RenewAfter(TimeSpan.Zero), Bound);

        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public async Task RenewAfter_ShortTimeout_TokenCancelledByOwner()
    {
        var owner = Sys.ActorOf(TokenOwnerActor.Props(Counter.Options));

        var token = await owner.Ask<CancellationToken>(new TokenOwnerActor.RenewAfter(TimeSpan.FromMilliseconds(50), "t"), Bound);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.Register(() => fired.TrySetResult());

        await fired.Task.WaitAsync(Bound);
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public void RenewAfter_NegativeTimeout_ThrowsAtCallSite()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenOwnerActor.RenewAfter(TimeSpan.FromSeconds(-2)));
        Assert.Throws<ArgumentNullException>(() => new TokenOwnerActor.RenewLinked(null!));
        Assert.Empty(new TokenOwnerActor.RenewLinked(Array.Empty<CancellationToken>()).Links);
    }

    [Fact]
    public async Task RenewLinked_LinkCancelled_TokenCancelled()
    {
        var owner = Sys.ActorOf(TokenOwnerActor.Props(Counter.Options));
        using var link = new CancellationTokenSource();

        var token = await owner.Ask<CancellationToken>(new TokenOwnerActor.RenewLinked(new[] { link.Token }), Bound);
        Assert.False(token.IsCancellationRequested);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.Register(() => fired.TrySetResult());
        link.Cancel();

        await fired.Task.WaitAsync(Bound);
    }

    [Fact]
    public async Task CancelAll_EverySlotEnded_OwnerStaysUsable()
    {
        var owner = Sys.ActorOf(TokenOwnerActor.Props(Counter.Options));
        var a = await owner.Ask<CancellationToken>(new TokenOwnerActor.Renew("a"), Bound);
        var d = await owner.Ask<CancellationToken>(new TokenOwnerActor.Renew(), Bound);

        await owner.Ask<Done>(TokenOwnerActor.CancelAll.Instance, Bound);
        var again = await owner.Ask<CancellationToken>(new TokenOwnerActor.Renew("a"), Bound);

        Assert.True(a.IsCancellationRequested);
        Assert.True(d.IsCancellationRequested);
        Assert.False(again.IsCancellationRequested);
    }

    [Fact]
    public async Task CancelAndDispose_UnknownSlot_RepliesDone()
    {
        var owner = Sys.ActorOf(TokenOwnerActor.Props(Counter.Options));

        Assert.Same(Done.Instance, await owner.Ask<Done>(new TokenOwnerActor.CancelAndDispose("never"), Bound));
    }

    [Fact]
    public async Task Stop_OwnerActor_TokensCancelledAndSourcesDisposed()
    {
        var owner = Sys.ActorOf(TokenOwnerActor.Props(Counter.Options));
        var a = await owner.Ask<CancellationToken>(new TokenOwnerActor.Renew("a"), Bound);
        var d = await owner.Ask<CancellationToken>(new TokenOwnerActor.Renew(), Bound);
        Watch(owner);

        Sys.Stop(owner);

        await ExpectTerminatedAsync(owner, Bound);
        Assert.True(a.IsCancellationRequested);
        Assert.True(d.IsCancellationRequested);
        Assert.Equal(2, Counter.Created);
        Assert.Equal(0, Counter.Live);
    }

    [Fact]
    public async Task Restart_SiblingFailsUnderAllForOne_TokensCancelledAndFreshOwner()
    {
        var shared = new Shared();
        var parent = Sys.ActorOf(Props.Create(() => new Parent(
            new AllForOneStrategy(_ => Directive.Restart),
            new[] { TokenOwnerActor.Props(Counter.Options), Props.Create(() => new Worker(TestActor, shared)) })));
        var children = await parent.Ask<IActorRef[]>("children", Bound);
        await ExpectMsgAsync<Constructed>(Bound);
        var token = await children[0].Ask<CancellationToken>(new TokenOwnerActor.Renew("s"), Bound);

        children[1].Tell(Cmd.Fail);
        await ExpectMsgAsync<Constructed>(Bound);
        var fresh = await children[0].Ask<CancellationToken>(new TokenOwnerActor.Renew("s"), Bound);

        Assert.True(token.IsCancellationRequested);
        Assert.False(fresh.IsCancellationRequested);
        Assert.Equal(1, Counter.Live);
    }

    [Fact]
    public async Task Ask_FromPlainCode_SharedByTwoClients()
    {
        var owner = Sys.ActorOf(TokenOwnerActor.Props(Counter.Options));

        var tokens = await Task.WhenAll(
            owner.Ask<CancellationToken>(new TokenOwnerActor.Renew("client-1"), Bound),
            owner.Ask<CancellationToken>(new TokenOwnerActor.Renew("client-2"), Bound));

        Assert.All(tokens, t => Assert.False(t.IsCancellationRequested));
        Assert.NotEqual(tokens[0], tokens[1]);
    }
}
