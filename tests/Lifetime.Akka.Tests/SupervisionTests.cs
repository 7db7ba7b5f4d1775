using System.Linq;
using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

public sealed class SupervisionTests : LifetimeSpec
{
    [Fact]
    public async Task OneForOne_ChildRestarted_OnlyFailedChildTokensCancelled()
    {
        var (a, b, sharedA, sharedB) = await StartTwoChildrenAsync(new OneForOneStrategy(_ => Directive.Restart));
        var tokenA = await RenewAsync(a);
        var tokenB = await RenewAsync(b);

        a.Tell(Cmd.Fail);

        Assert.Equal(new Constructed(2, true), await ExpectMsgAsync<Constructed>(Bound));
        await ExpectMsgAsync<Restarted>(Bound);
        Assert.True(tokenA.IsCancellationRequested);
        Assert.False(tokenB.IsCancellationRequested);
        Assert.True(sharedB.LastOwner!.IsCurrent(tokenB));
        var oldOwnerA = sharedA.LastOwner;
        await RenewAsync(a);
        Assert.NotSame(oldOwnerA, sharedA.LastOwner);
    }

    [Fact]
    public async Task AllForOne_ChildRestarted_EverySiblingTokensCancelled()
    {
        var (a, b, _, _) = await StartTwoChildrenAsync(new AllForOneStrategy(_ => Directive.Restart));
        var tokenA = await RenewAsync(a);
        var tokenB = await RenewAsync(b);

        a.Tell(Cmd.Fail);

        // Both children are re-created; each reports that its own previous token was already cancelled.
        // Both children report Constructed and Restarted, interleaved in any order.
        var reports = new object[4];
        for (var i = 0; i < reports.Length; i++)
        {
            reports[i] = await ExpectMsgAsync<object>(Bound);
        }

        Assert.Equal(2, reports.Count(r => r is Constructed { Incarnation: 2, PreviousTokenCancelled: true }));
        Assert.Equal(2, reports.Count(r => r is Restarted { Incarnation: 2, PreviousTokenCancelled: true }));
        Assert.True(tokenA.IsCancellationRequested);
        Assert.True(tokenB.IsCancellationRequested);
        Assert.False((await RenewAsync(b)).IsCancellationRequested);
    }

    /// <summary>
    /// Resume keeps the failed incarnation (no PreRestart, no new instance), so by design its owner and its
    /// live token survive the failure.
    /// </summary>
    [Fact]
    public async Task Resume_ChildFails_LiveTokenNotCancelled()
    {
        var (a, _, sharedA, _) = await StartTwoChildrenAsync(new OneForOneStrategy(_ => Directive.Resume));
        var token = await RenewAsync(a);

        a.Tell(Cmd.Fail);
        var owner = await a.Ask<TokenOwner>(Cmd.Owner, Bound);

        Assert.Same(sharedA.LastOwner, owner);
        Assert.False(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(token));
        await ExpectNoMsgAsync(Quiet); // no new incarnation was constructed
    }

    [Fact]
    public async Task ParentStopped_ChildrenOwnersDisposed()
    {
        var sharedA = new Shared();
        var sharedB = new Shared();
        var parent = Sys.ActorOf(Props.Create(() => new Parent(
            new OneForOneStrategy(_ => Directive.Restart),
            new[] { Props.Create(() => new Worker(TestActor, sharedA)), Props.Create(() => new ForgetfulWorker(TestActor, sharedB)) })));
        var children = await parent.Ask<IActorRef[]>("children", Bound);
        await ExpectMsgAsync<Constructed>(Bound);
        await ExpectMsgAsync<Constructed>(Bound);
        var tokenA = await RenewAsync(children[0]);
        var tokenB = await RenewAsync(children[1]);
        Watch(parent);

        Sys.Stop(parent);

        await ExpectTerminatedAsync(parent, Bound);
        Assert.True(tokenA.IsCancellationRequested);
        Assert.True(tokenB.IsCancellationRequested);
        Assert.Equal(0, Counter.Live);
    }

    private async Task<(IActorRef A, IActorRef B, Shared SharedA, Shared SharedB)> StartTwoChildrenAsync(SupervisorStrategy strategy)
    {
        var sharedA = new Shared();
        var sharedB = new Shared();
        var parent = Sys.ActorOf(Props.Create(() => new Parent(
            strategy,
            new[] { Props.Create(() => new Worker(TestActor, sharedA)), Props.Create(() => new Worker(TestActor, sharedB)) })));
        var children = await parent.Ask<IActorRef[]>("children", Bound);
        await ExpectMsgAsync<Constructed>(Bound);
        await ExpectMsgAsync<Constructed>(Bound);
        return (children[0], children[1], sharedA, sharedB);
    }
}
