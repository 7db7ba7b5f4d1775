using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

public sealed class TokenOwnerValidationTests
{
    public static TheoryData<TimeSpan> BadTimeouts() => new()
    {
        TimeSpan.FromTicks(-1),
        TimeSpan.FromMilliseconds(-2),
        TimeSpan.FromDays(-1),
        TimeSpan.MinValue,
        TimeSpan.FromMilliseconds(uint.MaxValue),
        TimeSpan.FromDays(50),
        TimeSpan.MaxValue,
    };

    public static TheoryData<TimeSpan> GoodTimeouts() => new()
    {
        TimeSpan.Zero,
        Timeout.InfiniteTimeSpan,
        TimeSpan.FromTicks(1),
        TimeSpan.FromMilliseconds(uint.MaxValue - 1.0),
    };

    [Theory]
    [MemberData(nameof(BadTimeouts))]
    public async Task RenewAfterAsync_OutOfRange_ThrowsAtCallSiteAndQueuesNothing(TimeSpan timeout)
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());
        var token = await owner.RenewAsync().Within();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => { _ = owner.RenewAfterAsync(timeout); });
        Assert.Equal("timeout", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = owner.RenewLinkedAfterAsync(timeout, CancellationToken.None); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = owner.TouchAsync(timeout); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = owner.CreateSlot().RenewAfterAsync(timeout); });

        Assert.True(owner.IsCurrent(token));
        Assert.Equal(1, counter.Created);
    }

    [Theory]
    [MemberData(nameof(GoodTimeouts))]
    public async Task RenewAfterAsync_InRange_Accepted(TimeSpan timeout)
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = new ManualTimeProvider() });

        var token = await owner.RenewAfterAsync(timeout).Within();

        Assert.Equal(timeout == TimeSpan.Zero, token.IsCancellationRequested);
    }

    [Fact]
    public async Task RenewLinkedAsync_NullArray_ThrowsArgumentNullAndQueuesNothing()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());

        Assert.Equal("links", Assert.Throws<ArgumentNullException>(() => { _ = owner.RenewLinkedAsync(null!); }).ParamName);
        Assert.Equal("links", Assert.Throws<ArgumentNullException>(() => { _ = owner.RenewLinkedAfterAsync(TimeSpan.FromSeconds(1), null!); }).ParamName);
        Assert.Equal(0, counter.Created);
    }

    [Fact]
    public async Task RenewOwnedAsync_Null_ThrowsArgumentNull()
    {
        await using var owner = new TokenOwner();

        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => { _ = owner.RenewOwnedAsync(null!); }).ParamName);
    }

    [Fact]
    public async Task RenewOwnedAsync_SourceAlreadyOwnedByThisOwner_ThrowsInvalidOperation()
    {
        await using var owner = new TokenOwner();
        var source = new CancellationTokenSource();
        var token = await owner.RenewOwnedAsync(source).Within();

        Assert.Throws<InvalidOperationException>(() => { _ = owner.RenewOwnedAsync(source); });
        Assert.True(owner.IsCurrent(token));
    }

    [Fact]
    public async Task RenewOwnedAsync_SourceOwnedByAnotherOwner_ThrowsInvalidOperationAndLeavesItAlone()
    {
        await using var first = new TokenOwner();
        await using var second = new TokenOwner();
        var source = new CancellationTokenSource();
        var token = await first.RenewOwnedAsync(source).Within();

        Assert.Throws<InvalidOperationException>(() => { _ = second.RenewOwnedAsync(source); });
        Assert.Throws<InvalidOperationException>(() => { _ = second.CreateSlot().RenewOwnedAsync(source); });

        Assert.True(first.IsCurrent(token));
        Assert.False(token.IsCancellationRequested);
    }

    [Fact]
    public async Task RenewOwnedAsync_SourceOwnedEarlierAndAlreadyRetired_StillRefused()
    {
        await using var owner = new TokenOwner();
        var source = new CancellationTokenSource();
        await owner.RenewOwnedAsync(source).Within();
        await owner.RenewAsync().Within();

        Assert.Throws<InvalidOperationException>(() => { _ = owner.RenewOwnedAsync(source); });
    }

    [Fact]
    public async Task RenewOwnedAsync_DisposedSource_ThrowsObjectDisposedAndQueuesNothing()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        var source = new CancellationTokenSource();
        source.Dispose();

        Assert.Throws<ObjectDisposedException>(() => { _ = owner.RenewOwnedAsync(source); });

        Assert.True(owner.IsCurrent(token));
    }

    [Fact]
    public async Task RenewOwnedAsync_AlreadyCancelledSource_BornEndedAndDisposed()
    {
        var counter = new SourceCounter();
        await using var owner = new TokenOwner(counter.Options());
        var source = counter.CreateForCaller();
        source.Cancel();

        var token = await owner.RenewOwnedAsync(source).Within();

        Assert.True(token.IsCancellationRequested);
        Assert.False(owner.IsCurrent(token));
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
        Assert.Equal(1, source.DisposeCalls);
    }

    [Fact]
    public void Constructor_UnknownPlacement_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = (CallbackPlacement)42 }));
    }

    [Fact]
    public async Task Constructor_ContextPlacementWithoutContext_ThrowsInvalidOperation()
    {
        await Task.Run(() =>
        {
            SynchronizationContext.SetSynchronizationContext(null);
            Assert.Throws<InvalidOperationException>(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext }));
        }).Within();
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

    [Fact]
    public async Task SourceFactory_Throws_RenewFailsWithItAndNothingChanges()
    {
        var fail = false;
        await using var owner = new TokenOwner(new TokenOwnerOptions { SourceFactory = () => fail ? throw new FormatException("factory") : new CancellationTokenSource() });
        var token = await owner.RenewAsync().Within();
        fail = true;

        await Assert.ThrowsAsync<FormatException>(() => owner.RenewAsync().Within());

        Assert.True(owner.IsCurrent(token));
        fail = false;
        Assert.True(owner.IsCurrent(await owner.RenewAsync().Within()));
    }
}
