using System;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Hosting;
using Lifetime.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lifetime.Akka.Tests;

/// <summary>
/// <see cref="AkkaConfigurationBuilderTokenOwnerExtensions.WithTokenOwners"/> on a real Generic Host: a plain
/// <see cref="IHost"/> from <see cref="Host.CreateApplicationBuilder()"/> with Akka.Hosting's <c>AddAkka</c>,
/// driven from an ordinary xunit test. (Akka.Hosting.TestKit would bring xunit v3, which does not compile
/// beside this project's xunit 2.9.3.)
/// </summary>
public sealed class AkkaConfigurationBuilderTokenOwnerExtensionsTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WithTokenOwners_HostedActorRenewsThenHostStops_TimeProviderFromServicesAndEverySourceDisposed()
    {
        var counter = new SourceCounter();
        var time = new ManualTimeProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddAkka("hosted", akka => akka
            .WithTokenOwners(options => options.SourceFactory = counter.Create)
            .WithActors((system, registry) => registry.Register<HostedWorker>(system.ActorOf(Props.Create(() => new HostedWorker()), "worker"))));
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(s_bound);
        var worker = await host.Services.GetRequiredService<IActorRegistry>().GetAsync<HostedWorker>().WaitAsync(s_bound);
        var system = host.Services.GetRequiredService<ActorSystem>();

        var timed = await worker.Ask<CancellationToken>(HostedWorker.RenewForAMinute, s_bound);
        var timedOut = Ended(timed);
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await timedOut.WaitAsync(s_bound); // the deadline ran on the TimeProvider registered in the services
        var live = await worker.Ask<CancellationToken>(HostedWorker.RenewForAMinute, s_bound);
        Assert.False(live.IsCancellationRequested);

        await host.StopAsync().WaitAsync(s_bound);
        await system.WhenTerminated.WaitAsync(s_bound);

        Assert.True(live.IsCancellationRequested);
        Assert.Equal(2, counter.Created);
        counter.AssertBalanced();
    }

    private static Task Ended(CancellationToken token)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => ended.TrySetResult());
        return ended.Task;
    }

    /// <summary>An actor started by the host that renews, through its incarnation's owner, a token with a one-minute deadline.</summary>
    private sealed class HostedWorker : ReceiveActor
    {
        public const string RenewForAMinute = "renew for a minute";

        public HostedWorker()
        {
            ReceiveAsync<string>(s => s == RenewForAMinute, async _ => Sender.Tell(await Context.GetTokenOwner().RenewAfterAsync(TimeSpan.FromMinutes(1))));
        }
    }
}
