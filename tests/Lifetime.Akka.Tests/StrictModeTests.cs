using System;
using System.Linq;
using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

/// <summary>
/// Strict mode (<see cref="TokenOwnerOptions.ThrowOnCancelException"/>) under the adapter: an incarnation's end
/// is an end of life, which has no awaiting caller, so a callback that throws while the owner ends is
/// reported once to <see cref="TokenOwnerOptions.OnCancelException"/> (as for a timeout or a link), never
/// thrown into Akka's lifecycle. The owner still ends every token, and the restart or stop goes on as usual,
/// producer plugins registered after the adapter's included, with no callback error in the event stream.
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
            options.OnCancelException = e => TestActor.Tell(new Reported(e));
            return options;
        };

        // Registered after the adapter's plugin (installed with the system), before any Worker exists.
        ((ExtendedActorSystem)Sys).ActorPipelineResolver.Register(new RecordingPlugin(TestActor));
    }

    [Fact]
    public async Task Restart_CallbackThrows_ReportedTokenCancelledLaterPluginsRun()
    {
        var shared = new Shared();
        var worker = Sys.ActorOf(Props.Create(() => new Worker(TestActor, shared)));
        await ExpectMsgAsync<Constructed>(Bound);
        var token = await RenewAsync(worker);
        token.Register(() => throw new InvalidOperationException("callback"));

        await EventFilter.Exception<AggregateException>().ExpectAsync(0, async () =>
        {
            worker.Tell(Cmd.Fail);
            AssertCallbackException((await ExpectMsgAsync<Reported>(Bound)).Exception);
            await ExpectMsgAsync(LaterPluginSawEnd, Bound);
            Assert.Equal(new Constructed(2, true), await ExpectMsgAsync<Constructed>(Bound));
            await ExpectMsgAsync<Restarted>(Bound);
        });

        Assert.True(token.IsCancellationRequested);
        Assert.Equal(0, Counter.Live);
        Assert.False((await RenewAsync(worker)).IsCancellationRequested);
    }

    [Fact]
    public async Task Stop_CallbackThrows_ReportedTokenCancelledLaterPluginsRun()
    {
        var worker = Sys.ActorOf(Props.Create(() => new Worker(TestActor, new Shared())));
        await ExpectMsgAsync<Constructed>(Bound);
        var token = await RenewAsync(worker);
        token.Register(() => throw new InvalidOperationException("callback"));
        Watch(worker);

        await EventFilter.Exception<AggregateException>().ExpectAsync(0, async () =>
        {
            Sys.Stop(worker);
            AssertCallbackException((await ExpectMsgAsync<Reported>(Bound)).Exception);
            await ExpectMsgAsync(LaterPluginSawEnd, Bound);
            await ExpectTerminatedAsync(worker, Bound);
        });

        Assert.True(token.IsCancellationRequested);
        Assert.Equal(0, Counter.Live);
    }

    private static void AssertCallbackException(Exception reported)
    {
        var inner = reported is AggregateException aggregate ? aggregate.Flatten().InnerExceptions.Single() : reported;
        Assert.Equal("callback", Assert.IsType<InvalidOperationException>(inner).Message);
    }

    private sealed record Reported(Exception Exception);

    /// <summary>A producer plugin that tells the probe when a Worker's incarnation ends.</summary>
    private sealed class RecordingPlugin : ActorProducerPluginBase
    {
        private readonly IActorRef _probe;

        public RecordingPlugin(IActorRef probe) => _probe = probe;

        public override bool CanBeAppliedTo(Type actorType) => actorType == typeof(Worker);

        public override void BeforeIncarnated(ActorBase actor, IActorContext context) => _probe.Tell(LaterPluginSawEnd);
    }
}
