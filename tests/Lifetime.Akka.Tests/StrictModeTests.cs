using System;
using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

/// <summary>
/// Strict mode (<see cref="TokenOwnerOptions.ThrowOnCancelException"/>) under the adapter: when a callback
/// throws while an incarnation's owner is disposed, the owner still ends every token, its exception goes
/// to the event stream as an error (Akka's producer pipeline catches and logs each plugin's exception),
/// and the restart or stop goes on as usual, producer plugins registered after the adapter's included.
/// </summary>
public sealed class StrictModeTests : LifetimeSpec
{
    private const string LaterPluginSawEnd = "later plugin: incarnation ended";

    public StrictModeTests()
    {
        ActorTokenOwners.Get(Sys).OptionsFactory = () =>
        {
            var options = Counter.Options();
            options.ThrowOnCancelException = true;
            return options;
        };

        // Registered after the adapter's plugin (installed with the system), before any Worker exists.
        ((ExtendedActorSystem)Sys).ActorPipelineResolver.Register(new RecordingPlugin(TestActor));
    }

    [Fact]
    public async Task Restart_CallbackThrows_ErrorPublishedTokenCancelledLaterPluginsRun()
    {
        var shared = new Shared();
        var worker = Sys.ActorOf(Props.Create(() => new Worker(TestActor, shared)));
        await ExpectMsgAsync<Constructed>(Bound);
        var token = await RenewAsync(worker);
        token.Register(() => throw new InvalidOperationException("callback"));

        await EventFilter.Exception<AggregateException>().ExpectOneAsync(Bound, async () =>
        {
            worker.Tell(Cmd.Fail);
            await ExpectMsgAsync(LaterPluginSawEnd, Bound);
        });

        Assert.Equal(new Constructed(2, true), await ExpectMsgAsync<Constructed>(Bound));
        await ExpectMsgAsync<Restarted>(Bound);
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(0, Counter.Live);
        Assert.False((await RenewAsync(worker)).IsCancellationRequested);
    }

    [Fact]
    public async Task Stop_CallbackThrows_ErrorPublishedTokenCancelledLaterPluginsRun()
    {
        var worker = Sys.ActorOf(Props.Create(() => new Worker(TestActor, new Shared())));
        await ExpectMsgAsync<Constructed>(Bound);
        var token = await RenewAsync(worker);
        token.Register(() => throw new InvalidOperationException("callback"));
        Watch(worker);

        await EventFilter.Exception<AggregateException>().ExpectOneAsync(Bound, async () =>
        {
            Sys.Stop(worker);
            await ExpectMsgAsync(LaterPluginSawEnd, Bound);
        });

        await ExpectTerminatedAsync(worker, Bound);
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(0, Counter.Live);
    }

    /// <summary>A producer plugin that tells the probe when a Worker's incarnation ends.</summary>
    private sealed class RecordingPlugin : ActorProducerPluginBase
    {
        private readonly IActorRef _probe;

        public RecordingPlugin(IActorRef probe) => _probe = probe;

        public override bool CanBeAppliedTo(Type actorType) => actorType == typeof(Worker);

        public override void BeforeIncarnated(ActorBase actor, IActorContext context) => _probe.Tell(LaterPluginSawEnd);
    }
}
