using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Lifetime.Extensions.Tests;

/// <summary>
/// A real Generic Host with <c>AddTokenOwners</c>: owners from DI, then the host stops. One class, so its
/// tests run one at a time (the Lifetime meter is process-wide).
/// </summary>
public sealed class TokenOwnerFactoryTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task HostStop_OwnerBoundToApplicationStopping_TokensEndWithOwnerEnded()
    {
        using var host = Build();
        await host.StartAsync().WaitAsync(s_limit);
        var factory = host.Services.GetRequiredService<ITokenOwnerFactory>();
        Assert.Same(factory, host.Services.GetRequiredService<ITokenOwnerFactory>());
        var owner = factory.Create("session");
        var slot = owner.CreateSlot();
        var token = owner.Renew();
        var slotToken = await slot.RenewAsync().AsTask().WaitAsync(s_limit);

        await host.StopAsync().WaitAsync(s_limit);

        Assert.True(token.IsCancellationRequested);
        Assert.True(slotToken.IsCancellationRequested);
        Assert.Equal(TokenEndCause.OwnerEnded, owner.GetEndCause(token));
        Assert.Equal(TokenEndCause.OwnerEnded, owner.GetEndCause(slotToken));
        Assert.True(owner.Completion.IsCompletedSuccessfully);
        Assert.True(owner.Renew().IsCancellationRequested);
    }

    [Fact]
    public async Task HostStop_NotBoundToApplicationStopping_ShutdownServiceDisposesOwner()
    {
        using var host = Build(options => options.BindToApplicationStopping = false);
        await host.StartAsync().WaitAsync(s_limit);
        var factory = host.Services.GetRequiredService<ITokenOwnerFactory>();
        var owner = factory.Create("unbound");
        var token = owner.Renew();
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.False(token.IsCancellationRequested);

        await host.StopAsync().WaitAsync(s_limit);

        Assert.True(token.IsCancellationRequested);
        Assert.Equal(TokenEndCause.OwnerDisposed, owner.GetEndCause(token));
        Assert.True(owner.Completion.IsCompletedSuccessfully);
        Assert.Empty(((TokenOwnerFactory)factory).LiveNames);
        Assert.Contains(Logs(host), r => r.Id.Id == TokenOwnerLogEvents.OwnersStopping && r.Level == LogLevel.Information);
    }

    [Fact]
    public async Task Owner_UsesTheHostsTimeProvider()
    {
        var time = new CountingTimeProvider();
        using var host = Build(services: services => services.AddSingleton<TimeProvider>(time));
        await host.StartAsync().WaitAsync(s_limit);
        var owner = host.Services.GetRequiredService<ITokenOwnerFactory>().Create("timed");
        var before = time.Reads;
        owner.RenewAfter(TimeSpan.FromMinutes(5));
        Assert.True(time.Reads > before);
        await host.StopAsync().WaitAsync(s_limit);
    }

    [Fact]
    public async Task CallbackException_LoggedWithEventIdAndOwnerName()
    {
        using var host = Build();
        await host.StartAsync().WaitAsync(s_limit);
        var owner = host.Services.GetRequiredService<ITokenOwnerFactory>().Create("thrower");
        owner.Renew().Register(static () => throw new InvalidOperationException("boom"));
        owner.Renew();

        var record = Assert.Single(Logs(host), r => r.Id.Id == TokenOwnerLogEvents.CallbackException);
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Equal("CallbackException", record.Id.Name);
        Assert.Equal(TokenOwnerLogEvents.Category, record.Category);
        Assert.Equal("thrower", record.GetStructuredStateValue("OwnerName"));
        Assert.Contains("boom", record.Exception!.ToString(), StringComparison.Ordinal);
        await host.StopAsync().WaitAsync(s_limit);
    }

    [Fact]
    public async Task HostStop_OwnerThatCannotEnd_LoggedByNameWithinTheShutdownTimeout()
    {
        using var release = new ManualResetEventSlim();
        using var host = Build(
            options => options.CallbackPlacement = CallbackPlacement.ThreadPool,
            services => services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300)));
        await host.StartAsync().WaitAsync(s_limit);
        var factory = host.Services.GetRequiredService<ITokenOwnerFactory>();
        var stuck = factory.Create("stuck");
        var fine = factory.Create("fine");
        (await stuck.RenewAsync().AsTask().WaitAsync(s_limit)).Register(() => release.Wait(s_limit));
        fine.Renew();

        try
        {
            await host.StopAsync().WaitAsync(s_limit);
            var record = Assert.Single(Logs(host), r => r.Id.Id == TokenOwnerLogEvents.OwnerNotEnded);
            Assert.Equal(LogLevel.Error, record.Level);
            Assert.Equal("stuck", record.GetStructuredStateValue("OwnerName"));
            Assert.False(stuck.Completion.IsCompleted);
            Assert.True(fine.Completion.IsCompleted);
        }
        finally
        {
            release.Set();
        }

        await stuck.Completion.WaitAsync(s_limit);
    }

    [Fact]
    public async Task HostStop_StrictOwnerWhoseCallbackThrows_DisposalFailureLogged()
    {
        using var host = Build(options =>
        {
            options.BindToApplicationStopping = false;
            options.ThrowOnCancelException = true;
        });
        await host.StartAsync().WaitAsync(s_limit);
        var owner = host.Services.GetRequiredService<ITokenOwnerFactory>().Create("strict");
        owner.Renew().Register(static () => throw new InvalidOperationException("at shutdown"));

        await host.StopAsync().WaitAsync(s_limit);

        var record = Assert.Single(Logs(host), r => r.Id.Id == TokenOwnerLogEvents.OwnerDisposeFailed);
        Assert.Equal("strict", record.GetStructuredStateValue("OwnerName"));
        Assert.True(owner.Completion.IsCompleted);
    }

    [Fact]
    public async Task Create_Validation_AndAfterContainerDisposal()
    {
        var host = Build();
        var factory = host.Services.GetRequiredService<ITokenOwnerFactory>();
        Assert.ThrowsAny<ArgumentException>(() => factory.Create(""));
        Assert.ThrowsAny<ArgumentException>(() => factory.Create(null!));
        var configured = factory.Create("configured", options => options.CallbackPlacement = CallbackPlacement.ThreadPool);
        var token = await configured.RenewAsync().AsTask().WaitAsync(s_limit);
        host.Dispose();
        Assert.Throws<ObjectDisposedException>(() => factory.Create("late"));
        await configured.Completion.WaitAsync(s_limit);
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public async Task Metrics_OwnersFromDi_CountedLiveThenEndedOnStop()
    {
        using var owners = new MetricCollector<long>(null, TokenOwner.MeterName, "lifetime.owners.live");
        using var ended = new MetricCollector<long>(null, TokenOwner.MeterName, "lifetime.tokens.ended");
        using var renews = new MetricCollector<long>(null, TokenOwner.MeterName, "lifetime.renews");
        using var host = Build();
        await host.StartAsync().WaitAsync(s_limit);
        owners.RecordObservableInstruments();
        var before = owners.LastMeasurement!.Value;
        var renewedAfter = Observe(renews, "variant", "renew_after");
        var ownerEnded = Observe(ended, "cause", "owner_ended");
        var factory = host.Services.GetRequiredService<ITokenOwnerFactory>();
        var first = factory.Create("metrics-1");
        var second = factory.Create("metrics-2");
        first.Renew();
        second.RenewAfter(TimeSpan.FromMinutes(1));
        owners.RecordObservableInstruments();
        Assert.Equal(before + 2, owners.LastMeasurement!.Value);
        Assert.True(Observe(renews, "variant", "renew_after") - renewedAfter >= 1);

        await host.StopAsync().WaitAsync(s_limit);

        owners.RecordObservableInstruments();
        Assert.Equal(before, owners.LastMeasurement!.Value);
        Assert.True(Observe(ended, "cause", "owner_ended") - ownerEnded >= 2);
    }

    /// <summary>Reads an observable counter now and returns its value for one tag.</summary>
    private static long Observe(MetricCollector<long> collector, string tag, string value)
    {
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot().Last(m => m.Tags.TryGetValue(tag, out var v) && (string?)v == value).Value;
    }

    private static IHost Build(Action<TokenOwnerFactoryOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddFakeLogging();
        builder.Services.AddTokenOwners(configure);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    private static System.Collections.Generic.IReadOnlyList<FakeLogRecord> Logs(IHost host) =>
        host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();

    private sealed class CountingTimeProvider : TimeProvider
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public override long GetTimestamp()
        {
            Interlocked.Increment(ref _reads);
            return base.GetTimestamp();
        }
    }
}
