using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Contract;

/// <summary>TokenOwnerOptions: policy, clock, placement, outer token, source factory; read once.</summary>
public sealed class OptionsContractTests
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
    public async Task SourceFactory_ReturnsNull_RenewFailsWithInvalidOperationAndNothingChanges()
    {
        var returnNull = false;
        await using var owner = new TokenOwner(new TokenOwnerOptions
        {
            SourceFactory = () => returnNull ? null! : new CancellationTokenSource(),
        });
        var token = await owner.RenewAsync().Within();
        returnNull = true;
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await owner.RenewAsync());
        Assert.True(owner.IsCurrent(token));
    }

    [Fact]
    public async Task OuterToken_Cancelled_OwnerEndsItsLife()
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(new TokenOwnerOptions { OuterToken = outer.Token });
        var slot = owner.CreateSlot();
        var a = await owner.RenewAsync().Within();
        var b = await slot.RenewAsync().Within();
        outer.Cancel();
        await owner.Completion.Within();
        Assert.True(a.IsCancellationRequested);
        Assert.True(b.IsCancellationRequested);
        Assert.True((await owner.RenewAsync().Within()).IsCancellationRequested);
        Assert.True((await slot.RenewAsync().Within()).IsCancellationRequested);
        Assert.True((await owner.CreateSlot().RenewAsync().Within()).IsCancellationRequested);
        await owner.DisposeAsync().Within();
        owner.Dispose();
        await owner.CancelAllAsync().Within();
    }

    [Fact]
    public async Task OuterToken_ConstructorOverload_BindsLikeOptions()
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        var token = await owner.RenewAsync().Within();
        outer.Cancel();
        await owner.Completion.Within();
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(TokenEndCause.OwnerEnded, owner.GetEndCause(token));
    }

    [Fact]
    public async Task OuterToken_AlreadyCancelled_OwnerEndedAtCreation()
    {
        var owner = new TokenOwner(new TokenOwnerOptions { OuterToken = new CancellationToken(true) });
        await owner.Completion.Within();
        Assert.True((await owner.RenewAsync().Within()).IsCancellationRequested);
        Assert.True((await owner.CreateSlot().RenewAsync().Within()).IsCancellationRequested);
    }

    [Fact]
    public async Task OuterToken_CancelledAfterOwnerDisposed_Harmless()
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        await owner.RenewAsync().Within();
        await owner.DisposeAsync().Within();
        Assert.Null(Record.Exception(() => outer.Cancel()));
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task OuterToken_CancelledWhileCallersRenew_NoAwaiterHangs()
    {
        using var outer = new CancellationTokenSource();
        var factory = new TrackingFactory();
        var options = factory.Options();
        options.OuterToken = outer.Token;
        var owner = new TokenOwner(options);
        var worker = Task.Run(async () =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                try
                {
                    await owner.RenewAsync();
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        });
        await Bounded.Until(() => factory.Created > 20, "renews are under way");
        outer.Cancel();
        await worker.Within();
        await owner.Completion.Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    public async Task TimeProvider_ThatThrows_CompletionFaultsAndLaterRenewsFail()
    {
        var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ThrowingTimeProvider() });
        var slot = owner.CreateSlot();
        var other = await slot.RenewAsync().Within();
        await Record.ExceptionAsync(async () => await owner.RenewAfterAsync(TimeSpan.FromSeconds(1)).Within());
        var completion = await Record.ExceptionAsync(() => owner.Completion.Within());
        Assert.NotNull(completion);
        Assert.IsNotType<TimeoutException>(completion);
        Assert.True(owner.Completion.IsFaulted);
        Assert.True(other.IsCancellationRequested);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await owner.RenewAsync());
        await owner.DisposeAsync().Within();
    }

    [Fact]
    public async Task Slot_Owner_IsItsOwner()
    {
        await using var owner = new TokenOwner();
        Assert.Same(owner, owner.CreateSlot().Owner);
    }

    private sealed class ThrowingTimeProvider : TimeProvider
    {
        public override long GetTimestamp() => throw new InvalidOperationException("clock failed");

        public override DateTimeOffset GetUtcNow() => throw new InvalidOperationException("clock failed");

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => throw new InvalidOperationException("clock failed");
    }
}
