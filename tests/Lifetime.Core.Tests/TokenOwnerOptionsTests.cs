using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary>TokenOwnerOptions: policy, clock, placement, outer token, source factory; read once.</summary>
public sealed class TokenOwnerOptionsTests
{
    [Fact]
    public void Defaults_AsDocumented()
    {
        var options = new TokenOwnerOptions();
        Assert.False(options.ThrowOnCancelException);
        Assert.Null(options.OnCancelException);
        Assert.Null(options.TimeProvider);
        Assert.Equal(CallbackPlacement.Inline, options.CallbackPlacement);
        Assert.Null(options.CallbackContext);
        Assert.Equal(default, options.OuterToken);
        Assert.Null(options.SourceFactory);
    }

    [Fact]
    public async Task Constructor_NullOptions_Defaults()
    {
        await using var owner = new TokenOwner((TokenOwnerOptions?)null!);
        var token = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(token));
    }

    [Fact]
    public async Task Options_ChangedAfterConstruction_NoEffect()
    {
        var factory = new TrackingFactory();
        var reporter = new Reporter();
        var options = new TokenOwnerOptions { SourceFactory = factory.Create };
        await using var owner = new TokenOwner(options);
        options.SourceFactory = () => throw new InvalidOperationException("changed");
        options.OnCancelException = reporter.Report;
        options.ThrowOnCancelException = true;
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        await owner.RenewAsync().Within();
        Assert.Equal(2, factory.Created);
        Assert.Equal(0, reporter.Count);
    }

    [Fact]
    [Trait("Guarantee", "4")]
    public async Task TimeProvider_UsedForTimeouts()
    {
        var time = new ManualTimeProvider();
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time });
        var token = await owner.RenewAfterAsync(TimeSpan.FromMilliseconds(20)).Within();
        Assert.False(token.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    [Trait("Guarantee", "2")]
    public async Task SourceFactory_UsedByEveryOwnerCreatedVariant()
    {
        var factory = new TrackingFactory();
        await using var owner = new TokenOwner(factory.Options(new ManualTimeProvider()));
        var tokens = new[]
        {
            await owner.RenewAsync().Within(),
            await owner.RenewAfterAsync(TimeSpan.FromMinutes(1)).Within(),
            await owner.RenewLinkedAsync(Variants.LongLived.Token).Within(),
            await owner.RenewLinkedAfterAsync(TimeSpan.FromMinutes(1), Variants.LongLived.Token).Within(),
        };
        Assert.Equal(4, factory.Created);
        var i = 0;
        foreach (var source in factory.Sources)
        {
            Assert.Equal(source.Issued, tokens[i++]);
        }
    }

    [Fact]
    public async Task SourceFactory_Throws_RenewFailsWithThatExceptionAndNothingChanges()
    {
        var fail = false;
        var factory = new TrackingFactory();
        await using var owner = new TokenOwner(new TokenOwnerOptions
        {
            SourceFactory = () => fail ? throw new CallbackBoom("factory") : factory.Create(),
        });
        var token = await owner.RenewAsync().Within();
        fail = true;
        var thrown = await Record.ExceptionAsync(async () => await owner.RenewAsync());
        Assert.IsType<CallbackBoom>(thrown);
        Assert.False(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(token));
        fail = false;
        var next = await owner.RenewAsync().Within();
        Assert.True(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(next));
    }

    [Fact]
    public async Task Slot_Owner_IsItsOwner()
    {
        await using var owner = new TokenOwner();
        Assert.Same(owner, owner.CreateSlot().Owner);
    }

    [Fact]
    public async Task SourceFactory_ReturnsNull_RenewFailsAndNothingChanges()
    {
        var fail = false;
        await using var owner = new TokenOwner(new TokenOwnerOptions { SourceFactory = () => fail ? null! : new CancellationTokenSource() });
        var token = await owner.RenewAsync().Within();
        fail = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => owner.RenewAsync().Within());

        Assert.True(owner.IsCurrent(token));
        Assert.False(owner.Completion.IsCompleted);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SourceFactory_ReturnsASourceAnOwnerAlreadyHolds_RenewFailsAndTheHoldersTokenStaysLive(bool synchronous)
    {
        // A factory that hands out one shared source: after the first owner took it, every later renew
        // (another owner's, or the same owner's again) must refuse it, or two owners, or one owner twice,
        // would cancel and dispose the same source.
        using var shared = new CancellationTokenSource();
        var options = new TokenOwnerOptions { SourceFactory = () => shared };
        await using var first = new TokenOwner(options);
        await using var second = new TokenOwner(options);
        var token = await first.RenewAsync().Within();

        foreach (var owner in new[] { second, first })
        {
            var refusal = synchronous
                ? Assert.Throws<InvalidOperationException>(() => owner.Renew())
                : await Assert.ThrowsAsync<InvalidOperationException>(() => owner.RenewAsync().Within());
            Assert.Contains("SourceFactory", refusal.Message, StringComparison.Ordinal);
        }

        Assert.True(first.IsCurrent(token));
        Assert.False(token.IsCancellationRequested);
        Assert.False(first.Completion.IsCompleted);
        Assert.False(second.Completion.IsCompleted);
    }
}
