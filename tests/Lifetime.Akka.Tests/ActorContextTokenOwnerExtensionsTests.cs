using System;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

public sealed class ActorContextTokenOwnerExtensionsTests : LifetimeSpec
{
    [Theory]
    [MemberData(nameof(Workers.BaseClasses), MemberType = typeof(Workers))]
    public async Task GetTokenOwner_RestartThenStop_OldTokensCancelledBeforeNewConstructorAndPostRestart(string baseClass)
    {
        var shared = new Shared();
        var worker = Sys.ActorOf(Workers.Props(baseClass, TestActor, shared));
        Assert.Equal(new Constructed(1, null), await ExpectMsgAsync<Constructed>(Bound));
        var token = await RenewAsync(worker);
        var firstOwner = shared.LastOwner;

        worker.Tell(Cmd.Fail);

        Assert.Equal(new Constructed(2, true), await ExpectMsgAsync<Constructed>(Bound));
        Assert.Equal(new Restarted(2, true), await ExpectMsgAsync<Restarted>(Bound));
        Assert.True(token.IsCancellationRequested);
        var fresh = await RenewAsync(worker);
        Assert.False(fresh.IsCancellationRequested);
        Assert.NotSame(firstOwner, shared.LastOwner);
        Assert.True(shared.LastOwner!.IsCurrent(fresh));
        Assert.Equal(1, Counter.Live);

        Watch(worker);
        Sys.Stop(worker);
        await ExpectTerminatedAsync(worker, Bound);
        Assert.True(fresh.IsCancellationRequested);
        Assert.Equal(2, Counter.Created);
        Assert.Equal(0, Counter.Live);
    }

    [Fact]
    public async Task GetTokenOwner_Stop_DisposesOwnerAndEverySource()
    {
        var shared = new Shared();
        var worker = Sys.ActorOf(Props.Create(() => new Worker(TestActor, shared)));
        await ExpectMsgAsync<Constructed>(Bound);
        await RenewAsync(worker);
        var token = await RenewAsync(worker);
        Watch(worker);

        Sys.Stop(worker);

        await ExpectTerminatedAsync(worker, Bound);
        Assert.True(token.IsCancellationRequested);
        await shared.LastOwner!.Completion.WaitAsync(Bound);
        Assert.Equal(2, Counter.Created);
        Assert.Equal(0, Counter.Live);
    }

    [Fact]
    public async Task GetTokenOwner_OverridesSkipBase_RestartAndStopStillEndTokens()
    {
        var shared = new Shared();
        var worker = Sys.ActorOf(Props.Create(() => new ForgetfulWorker(TestActor, shared)));
        await ExpectMsgAsync<Constructed>(Bound);
        var first = await RenewAsync(worker);

        worker.Tell(Cmd.Fail);

        Assert.Equal(new Constructed(2, true), await ExpectMsgAsync<Constructed>(Bound));
        Assert.Equal(new Restarted(2, true), await ExpectMsgAsync<Restarted>(Bound));
        Assert.True(first.IsCancellationRequested);
        var second = await RenewAsync(worker);
        Assert.False(second.IsCancellationRequested);
        Watch(worker);
        Sys.Stop(worker);
        await ExpectTerminatedAsync(worker, Bound);
        Assert.True(second.IsCancellationRequested);
        Assert.Equal(0, Counter.Live);
    }

    [Fact]
    public async Task GetTokenOwner_PreRestartThrows_OldOwnerDisposedBeforePostRestart()
    {
        var shared = new Shared();
        var worker = Sys.ActorOf(Props.Create(() => new ThrowingPreRestartWorker(TestActor, shared)));
        await ExpectMsgAsync<Constructed>(Bound);
        var first = await RenewAsync(worker);

        worker.Tell(Cmd.Fail);

        // Akka skipped the pipeline, so the constructor ran first; PostRestart must see the token ended.
        await ExpectMsgAsync<Constructed>(Bound);
        Assert.Equal(new Restarted(2, true), await ExpectMsgAsync<Restarted>(Bound));
        Assert.True(first.IsCancellationRequested);
    }

    [Fact]
    public async Task GetTokenOwner_HundredRestarts_NoLiveSourcesAfterStop()
    {
        var shared = new Shared();
        var worker = Sys.ActorOf(Props.Create(() => new Worker(TestActor, shared)));
        await ExpectMsgAsync<Constructed>(Bound);

        for (var i = 0; i < 100; i++)
        {
            var token = await RenewAsync(worker);
            worker.Tell(Cmd.Fail);
            Assert.Equal(new Constructed(i + 2, true), await ExpectMsgAsync<Constructed>(Bound));
            await ExpectMsgAsync<Restarted>(Bound);
            Assert.True(token.IsCancellationRequested);
            Assert.Equal(0, Counter.Live);
        }

        await RenewAsync(worker);
        Watch(worker);
        Sys.Stop(worker);
        await ExpectTerminatedAsync(worker, Bound);
        Assert.Equal(101, Counter.Created);
        Assert.Equal(0, Counter.Live);
    }

    [Fact]
    public async Task GetTokenOwner_ActorSystemTerminated_EveryTokenCancelled()
    {
        var counter = new SourceCounter();
        var system = ActorSystem.Create("terminating", InstallConfig);
        try
        {
            ActorTokenOwners.Get(system).OptionsFactory = counter.Options;
            var probe = CreateTestProbe(system);
            var shared = new Shared();
            var worker = system.ActorOf(Props.Create(() => new Worker(probe.Ref, shared)));
            await probe.ExpectMsgAsync<Constructed>(Bound);
            var token = await worker.Ask<CancellationToken>(Cmd.Renew, Bound);

            await system.Terminate().WaitAsync(Bound);

            Assert.True(token.IsCancellationRequested);
            Assert.Equal(1, counter.Created);
            Assert.Equal(0, counter.Live);
        }
        finally
        {
            await system.Terminate().WaitAsync(Bound);
        }
    }

    [Fact]
    public async Task GetTokenOwner_ExtensionNotInstalled_ThrowsInvalidOperation()
    {
        var system = ActorSystem.Create("bare");
        try
        {
            var probe = CreateTestProbe(system);
            system.ActorOf(Props.Create(() => new Asking(probe.Ref)));

            var error = await probe.ExpectMsgAsync<Exception>(Bound);

            Assert.IsType<InvalidOperationException>(error);
            Assert.Contains("ActorTokenOwners.Install", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await system.Terminate().WaitAsync(Bound);
        }
    }

    private sealed class Asking : ReceiveActor
    {
        public Asking(IActorRef probe)
        {
            try
            {
                Context.GetTokenOwner();
                probe.Tell("no error");
            }
            catch (InvalidOperationException e)
            {
                probe.Tell(e);
            }
        }
    }
}
