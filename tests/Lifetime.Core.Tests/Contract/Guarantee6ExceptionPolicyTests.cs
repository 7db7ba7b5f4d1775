using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Contract;

/// <summary>Guarantee 6: exceptions from Cancel() are reported once and swallowed, or propagated in strict mode.</summary>
public sealed class Guarantee6ExceptionPolicyTests
{
    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    public async Task RenewAsync_DefaultPolicyThrowingCallback_ReportedOnceSwallowedSourceDisposed(CallbackPlacement placement)
    {
        var reporter = new Reporter();
        var factory = new TrackingFactory();
        var options = factory.Options();
        options.OnCancelException = reporter.Report;
        options.CallbackPlacement = placement;
        var owner = new TokenOwner(options);
        var previous = await owner.RenewAsync().Within();
        previous.Register(() => throw new CallbackBoom());
        var next = await owner.RenewAsync().Within();
        Assert.True(previous.IsCancellationRequested);
        Assert.True(owner.IsCurrent(next));
        await Bounded.Until(() => reporter.Count >= 1, "the exception is reported");
        Assert.Equal(1, reporter.Count);
        Assert.True(Guarantee4TimeoutAndLinkTests.Contains<CallbackBoom>(reporter.Reported[0]));
        Assert.Equal(1, System.Linq.Enumerable.First(factory.Sources).DisposeCalls);
        await owner.DisposeAsync().Within();
        Assert.Equal(1, reporter.Count);
        factory.AssertAllEndedExactlyOnce();
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task RenewAsync_DefaultPolicyNoReporter_Swallowed()
    {
        await using var owner = new TokenOwner();
        var previous = await owner.RenewAsync().Within();
        previous.Register(() => throw new CallbackBoom());
        var next = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(next));
    }

    [Fact]
    public async Task RenewAsync_ThrowingReporter_SwallowedOwnerKeepsWorking()
    {
        var factory = new TrackingFactory();
        var options = factory.Options();
        var reports = 0;
        options.OnCancelException = _ =>
        {
            Interlocked.Increment(ref reports);
            throw new InvalidOperationException("reporter failed");
        };
        var owner = new TokenOwner(options);
        var previous = await owner.RenewAsync().Within();
        previous.Register(() => throw new CallbackBoom());
        var next = await owner.RenewAsync().Within();
        Assert.Equal(1, reports);
        Assert.True(owner.IsCurrent(next));
        var after = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(after));
        await owner.DisposeAsync().Within();
        await owner.Completion.Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    public async Task RenewAsync_OwnedSourceDisposedBehindOurBack_ReportedAsObjectDisposedAndSwallowed()
    {
        var reporter = new Reporter();
        await using var owner = new TokenOwner(new TokenOwnerOptions { OnCancelException = reporter.Report });
        var source = new CancellationTokenSource();
        await owner.RenewOwnedAsync(source).Within();
        source.Dispose(); // misuse: the caller disposed a source it handed over
        var next = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(next));
        Assert.Equal(1, reporter.Count);
        Assert.True(Guarantee4TimeoutAndLinkTests.Contains<ObjectDisposedException>(reporter.Reported[0]));
    }

    [Fact]
    public async Task RenewAsync_OwnedSourceDisposedBehindOurBackStrict_CallerFaultsStateConsistent()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        var source = new CancellationTokenSource();
        await owner.RenewOwnedAsync(source).Within();
        source.Dispose();
        var thrown = await Record.ExceptionAsync(async () => await owner.RenewAsync());
        Assert.NotNull(thrown);
        Assert.True(Guarantee4TimeoutAndLinkTests.Contains<ObjectDisposedException>(thrown));
        Assert.True(await owner.TouchAsync(TimeSpan.FromMinutes(1)).Within());
        var next = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(next));
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    public async Task RenewAsync_StrictThrowingCallback_CallerFaultsNewTokenInstalled(CallbackPlacement placement)
    {
        var reporter = new Reporter();
        var factory = new TrackingFactory();
        var options = factory.Options();
        options.ThrowOnCancelException = true;
        options.OnCancelException = reporter.Report;
        options.CallbackPlacement = placement;
        var owner = new TokenOwner(options);
        var previous = await owner.RenewAsync().Within();
        previous.Register(() => throw new CallbackBoom());
        var thrown = await Record.ExceptionAsync(async () => await owner.RenewAsync().Within());
        Assert.NotNull(thrown);
        Assert.True(Guarantee4TimeoutAndLinkTests.Contains<CallbackBoom>(thrown));
        Assert.Equal(0, reporter.Count);
        Assert.True(previous.IsCancellationRequested);

        // The renew installed its new token before faulting.
        Assert.Equal(2, factory.Created);
        Assert.Equal(1, factory.Disposed);
        Assert.True(await owner.TouchAsync(TimeSpan.FromMinutes(1)).Within());
        await owner.CancelAndDisposeAsync().Within();
        Assert.Equal(2, factory.Disposed);
        var next = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(next));
        await owner.DisposeAsync().Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    public async Task CancelAndDisposeAsync_StrictThrowingCallback_CallerFaults()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        var thrown = await Record.ExceptionAsync(async () => await owner.CancelAndDisposeAsync().Within());
        Assert.NotNull(thrown);
        Assert.True(Guarantee4TimeoutAndLinkTests.Contains<CallbackBoom>(thrown));
        Assert.True(token.IsCancellationRequested);
        Assert.False(await owner.TouchAsync(TimeSpan.FromMinutes(1)).Within());
        await owner.CancelAndDisposeAsync().Within();
    }

    [Fact]
    public async Task CancelAllAsync_StrictSeveralThrowingCallbacks_OneAggregateWithEach()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        var a = await owner.CreateSlot().RenewAsync().Within();
        var b = await owner.CreateSlot().RenewAsync().Within();
        a.Register(() => throw new CallbackBoom("a"));
        b.Register(() => throw new CallbackBoom("b"));
        var thrown = await Record.ExceptionAsync(async () => await owner.CancelAllAsync().Within());
        var aggregate = Assert.IsType<AggregateException>(thrown);
        var messages = new System.Collections.Generic.List<string>();
        foreach (var inner in aggregate.Flatten().InnerExceptions)
        {
            messages.Add(inner.Message);
        }

        Assert.Contains("a", messages);
        Assert.Contains("b", messages);
        Assert.True(a.IsCancellationRequested);
        Assert.True(b.IsCancellationRequested);
        await owner.CancelAllAsync().Within();
    }

    [Fact]
    public async Task DisposeAsync_StrictThrowingCallback_FaultsOnceThenNoOp()
    {
        var factory = new TrackingFactory();
        var options = factory.Options();
        options.ThrowOnCancelException = true;
        var owner = new TokenOwner(options);
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        var thrown = await Record.ExceptionAsync(async () => await owner.DisposeAsync().Within());
        Assert.NotNull(thrown);
        Assert.True(Guarantee4TimeoutAndLinkTests.Contains<CallbackBoom>(thrown));
        await owner.DisposeAsync().Within();
        await owner.Completion.Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    public async Task OuterToken_ThrowingCallback_ReportedAndOuterCancellerDoesNotThrow()
    {
        using var outer = new CancellationTokenSource();
        var reporter = new Reporter();
        var owner = new TokenOwner(new TokenOwnerOptions { OuterToken = outer.Token, OnCancelException = reporter.Report });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        Assert.Null(Record.Exception(() => outer.Cancel()));
        await owner.Completion.Within();
        Assert.Equal(1, reporter.Count);
    }

    [Fact]
    public async Task Completion_CallbackExceptions_NeverFaultIt()
    {
        var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        await Record.ExceptionAsync(async () => await owner.RenewAsync());
        var second = await owner.RenewAsync().Within();
        second.Register(() => throw new CallbackBoom());
        await Record.ExceptionAsync(async () => await owner.DisposeAsync());
        await owner.Completion.Within();
        Assert.True(owner.Completion.IsCompletedSuccessfully);
    }
}
