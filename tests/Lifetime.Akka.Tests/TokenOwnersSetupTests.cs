using System;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

namespace Lifetime.Akka.Tests;

/// <summary>
/// What <see cref="AkkaConfigurationBuilderTokenOwnerExtensions.WithTokenOwners"/> adds, on a TestKit system
/// created with the same setup: options in place before the first actor, and callback exceptions of ended
/// tokens logged to the actor system's log by default.
/// </summary>
public sealed class TokenOwnersSetupTests : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    private readonly SourceCounter _counter;

    public TokenOwnersSetupTests()
        : this(new SourceCounter())
    {
    }

    private TokenOwnersSetupTests(SourceCounter counter)
        : base(ActorSystemSetup.Create(
            BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString(LifetimeSpec.InstallConfig)),
            new TokenOwnersSetup(options => options.SourceFactory = counter.Create)))
    {
        _counter = counter;
    }

    [Fact]
    public void CreateOptionsFactory_NoServices_UserConfigurationOnSystemClockWithLogReporter()
    {
        var options = ActorTokenOwners.Get(Sys).OptionsFactory?.Invoke();

        Assert.NotNull(options);
        Assert.NotNull(options.SourceFactory);
        Assert.Null(options.TimeProvider);
        Assert.NotNull(options.OnCancelException);
    }

    [Fact]
    public async Task Stop_CallbackThrows_ErrorLoggedToActorSystemAndSourcesDisposed()
    {
        var worker = Sys.ActorOf(Props.Create(() => new Worker(TestActor, new Shared())));
        await ExpectMsgAsync<Constructed>(s_bound);
        var token = await worker.Ask<CancellationToken>(Cmd.Renew, s_bound);
        token.Register(() => throw new InvalidOperationException("callback"));
        Watch(worker);

        await EventFilter.Error(contains: "Lifetime token threw").ExpectOneAsync(s_bound, async () =>
        {
            Sys.Stop(worker);
            await ExpectTerminatedAsync(worker, s_bound);
        });

        Assert.True(token.IsCancellationRequested);
        Assert.Equal(1, _counter.Created);
        _counter.AssertBalanced();
    }
}
