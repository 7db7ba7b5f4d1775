using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

/// <summary>
/// Specs of <see cref="TokenOwnerReceiveActor"/> and <see cref="TokenOwnerUntypedActor"/>, each a theory run
/// once per base class: both delegate to one incarnation helper and must behave the same.
/// </summary>
public sealed class TokenOwnerBaseActorTests : LifetimeSpec
{
    public static readonly TheoryData<string> BaseClasses = new() { BaseWorkers.Receive, BaseWorkers.Untyped };

    [Theory]
    [MemberData(nameof(BaseClasses))]
    public async Task Owner_Restart_CancelledBeforeUserPreRestartAndNewConstructor(string baseClass)
    {
        var shared = new Shared();
        var actor = Sys.ActorOf(BaseWorkers.Props(baseClass, TestActor, shared, Counter));
        Assert.Equal(new Constructed(1, null), await ExpectMsgAsync<Constructed>(Bound));
        var token = await RenewAsync(actor);

        actor.Tell(Cmd.Fail);

        Assert.Equal("pre-restart saw cancelled: True", await ExpectMsgAsync<string>(Bound));
        Assert.Equal(new Constructed(2, true), await ExpectMsgAsync<Constructed>(Bound));
        Assert.True(token.IsCancellationRequested);
        Assert.False((await RenewAsync(actor)).IsCancellationRequested);
        Assert.Equal(1, Counter.Live);
    }

    [Theory]
    [MemberData(nameof(BaseClasses))]
    public async Task Owner_StopWithThrowingPostStop_OwnerStillDisposed(string baseClass)
    {
        var shared = new Shared();
        var actor = Sys.ActorOf(BaseWorkers.Props(baseClass, TestActor, shared, Counter));
        await ExpectMsgAsync<Constructed>(Bound);
        var token = await RenewAsync(actor);
        Watch(actor);

        Sys.Stop(actor);

        await ExpectTerminatedAsync(actor, Bound);
        Assert.True(token.IsCancellationRequested);
        await shared.LastOwner!.Completion.WaitAsync(Bound);
        Assert.Equal(1, Counter.Created);
        Assert.Equal(0, Counter.Live);
    }
}
