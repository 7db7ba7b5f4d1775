using System;
using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

public sealed class TokenOwnerReceiveActorTests : LifetimeSpec
{
    [Fact]
    public async Task Owner_Restart_CancelledBeforeUserPreRestartAndNewConstructor()
    {
        var shared = new Shared();
        var actor = Sys.ActorOf(Props.Create(() => new BaseClassWorker(TestActor, shared, Counter)));
        await ExpectMsgAsync<Constructed>(Bound);
        var token = await RenewAsync(actor);

        actor.Tell(Cmd.Fail);

        Assert.Equal("pre-restart saw cancelled: True", await ExpectMsgAsync<string>(Bound));
        Assert.Equal(new Constructed(2, true), await ExpectMsgAsync<Constructed>(Bound));
        Assert.True(token.IsCancellationRequested);
        Assert.False((await RenewAsync(actor)).IsCancellationRequested);
    }

    [Fact]
    public async Task Owner_StopWithThrowingPostStop_OwnerStillDisposed()
    {
        var shared = new Shared();
        var actor = Sys.ActorOf(Props.Create(() => new BaseClassWorker(TestActor, shared, Counter)));
        await ExpectMsgAsync<Constructed>(Bound);
        var token = await RenewAsync(actor);
        Watch(actor);

        Sys.Stop(actor);

        await ExpectTerminatedAsync(actor, Bound);
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(0, Counter.Live);
    }

    [Fact]
    public async Task Owner_UntypedBase_RestartCancels()
    {
        var actor = Sys.ActorOf(Props.Create(() => new UntypedBaseWorker(TestActor)));
        Assert.Equal("constructed", await ExpectMsgAsync<string>(Bound));
        var token = await RenewAsync(actor);

        actor.Tell(Cmd.Fail);

        Assert.Equal("constructed", await ExpectMsgAsync<string>(Bound));
        Assert.True(token.IsCancellationRequested);
    }

    private sealed class BaseClassWorker : TokenOwnerReceiveActor
    {
        private readonly IActorRef _probe;
        private readonly Shared _shared;
        private readonly SourceCounter _counter;

        public BaseClassWorker(IActorRef probe, Shared shared, SourceCounter counter)
        {
            _probe = probe;
            _shared = shared;
            _counter = counter;
            probe.Tell(new Constructed(shared.NextIncarnation(), shared.LastToken?.IsCancellationRequested));
            ReceiveAsync<string>(s => s == Cmd.Renew, async _ =>
            {
                var token = await Owner.RenewAsync();
                _shared.LastToken = token;
                Sender.Tell(token);
            });
            Receive<string>(s => s == Cmd.Fail, _ => throw new InvalidOperationException("boom"));
        }

        protected override TokenOwnerOptions? CreateOwnerOptions() => _counter.Options();

        // Skips base and throws: the base class has already disposed the owner.
        protected override void PreRestart(Exception reason, object message)
        {
            _probe.Tell("pre-restart saw cancelled: " + _shared.LastToken?.IsCancellationRequested);
            throw new InvalidOperationException("PreRestart failed");
        }

        protected override void PostStop() => throw new InvalidOperationException("PostStop failed");
    }

    private sealed class UntypedBaseWorker : TokenOwnerUntypedActor
    {
        public UntypedBaseWorker(IActorRef probe) => probe.Tell("constructed");

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case Cmd.Renew:
                    Sender.Tell(Owner.RenewAsync().AsTask().GetAwaiter().GetResult());
                    break;
                case Cmd.Fail:
                    throw new InvalidOperationException("boom");
            }
        }
    }
}
