using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

/// <summary>
/// Every way a token ends (renew, cancel, cancel-all, dispose, timeout, link) × where callbacks run ×
/// exception policy: a throwing callback is reported once and swallowed by default, propagated to the
/// awaiting caller in strict mode (reported when there is none), and the owner keeps working.
/// </summary>
public sealed class TokenOwnerExceptionPolicyTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly PumpContext _context = new();
    private readonly ConcurrentQueue<Exception> _reported = new();
    private readonly SourceCounter _counter = new();

    public static TheoryData<string, CallbackPlacement, bool> Matrix()
    {
        var data = new TheoryData<string, CallbackPlacement, bool>();
        foreach (var path in new[] { "renew", "cancel", "cancelAll", "dispose", "timeout", "link" })
        {
            foreach (var placement in new[] { CallbackPlacement.Inline, CallbackPlacement.ThreadPool, CallbackPlacement.SynchronizationContext })
            {
                data.Add(path, placement, false);
                data.Add(path, placement, true);
            }
        }

        return data;
    }

    public void Dispose() => _context.Dispose();

    [Theory]
    [MemberData(nameof(Matrix))]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "4")]
    [Trait("Guarantee", "2")]
    public async Task ThrowingCallback_OnEveryPath_ObeysPolicyAndOwnerKeepsWorking(string path, CallbackPlacement placement, bool strict)
    {
        var owner = CreateOwner(placement, strict, reporterThrows: false);
        using var external = new CancellationTokenSource();
        var token = path switch
        {
            "timeout" => await owner.RenewAfterAsync(TimeSpan.FromSeconds(1)).Within(),
            "link" => await owner.RenewLinkedAsync(external.Token).Within(),
            _ => await owner.RenewAsync().Within(),
        };
        var otherCallbackRan = 0;
        token.Register(() => Interlocked.Increment(ref otherCallbackRan));
        token.Register(() => throw new InvalidTimeZoneException("callback"));

        Exception? propagated = null;
        try
        {
            switch (path)
            {
                case "renew":
                    await owner.RenewAsync().Within();
                    break;
                case "cancel":
                    await owner.CancelAndDisposeAsync().Within();
                    break;
                case "cancelAll":
                    await owner.CancelAllAsync().Within();
                    break;
                case "dispose":
                    await owner.DisposeAsync().Within();
                    break;
                case "timeout":
                    _time.Advance(TimeSpan.FromSeconds(1.02));
                    break;
                default:
                    external.Cancel(); // never throws into the outside canceller
                    break;
            }
        }
        catch (Exception ex)
        {
            propagated = ex;
        }

        await Bounded.Cancelled(token);
        var hasCaller = path is "renew" or "cancel" or "cancelAll" or "dispose";
        if (strict && hasCaller)
        {
            var aggregate = Assert.IsType<AggregateException>(propagated);
            Assert.IsType<InvalidTimeZoneException>(Assert.Single(aggregate.InnerExceptions));
        }
        else
        {
            Assert.Null(propagated);
            await Bounded.Until(() => !_reported.IsEmpty, "the exception is reported");
        }

        await Bounded.Until(() => Volatile.Read(ref otherCallbackRan) == 1, "every callback ran");
        if (path != "dispose")
        {
            var next = await owner.RenewAsync().Within();
            Assert.True(owner.IsCurrent(next));
        }

        await owner.DisposeAsync().Within();
        await owner.Completion.Within();
        Assert.Equal(strict && hasCaller ? 0 : 1, _reported.Count);
        if (!_reported.IsEmpty)
        {
            _reported.TryPeek(out var reported);
            Assert.IsType<InvalidTimeZoneException>(Assert.Single(Assert.IsType<AggregateException>(reported).InnerExceptions));
        }

        _counter.AssertBalanced();
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    [InlineData(CallbackPlacement.SynchronizationContext)]
    [Trait("Guarantee", "6")]
    public async Task ThrowingReporter_IsSwallowedAndOwnerKeepsWorking(CallbackPlacement placement)
    {
        var owner = CreateOwner(placement, strict: false, reporterThrows: true);
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new InvalidTimeZoneException("callback"));

        var next = await owner.RenewAsync().Within();

        Assert.True(token.IsCancellationRequested);
        await Bounded.Until(() => !_reported.IsEmpty, "the reporter ran");
        Assert.True(owner.IsCurrent(next));
        await owner.DisposeAsync().Within();
        Assert.True(owner.Completion.IsCompletedSuccessfully);
        Assert.Single(_reported);
        _counter.AssertBalanced();
    }

    [Fact]
    [Trait("Guarantee", "6")]
    public async Task DefaultPolicy_NoReporter_SwallowsSilently()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new InvalidTimeZoneException("callback"));

        var next = await owner.RenewAsync().Within();

        Assert.True(token.IsCancellationRequested);
        Assert.True(owner.IsCurrent(next));
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    [InlineData(CallbackPlacement.SynchronizationContext)]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "7")]
    public async Task StrictOuterTokenDisposal_CallbackThrows_ReportedBecauseNobodyAwaits(CallbackPlacement placement)
    {
        using var outer = new CancellationTokenSource();
        var options = new TokenOwnerOptions
        {
            OuterToken = outer.Token,
            ThrowOnCancelException = true,
            CallbackPlacement = placement,
            CallbackContext = placement == CallbackPlacement.SynchronizationContext ? _context : null,
            OnCancelException = _reported.Enqueue,
        };
        var owner = new TokenOwner(options);
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new InvalidTimeZoneException("callback"));

        outer.Cancel();

        await owner.Completion.Within();
        Assert.IsType<InvalidTimeZoneException>(Assert.Single(Assert.IsType<AggregateException>(Assert.Single(_reported)).InnerExceptions));
    }

    /// <summary>
    /// A synchronous Dispose called from a callback on the processing path cannot wait, so nobody receives
    /// what the disposal's callbacks throw: strict mode reports it instead of dropping it.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "5")]
    [Trait("Guarantee", "7")]
    public async Task StrictSynchronousDispose_FromCallbackOnPath_CallbackExceptionsReported(bool disposeSlot)
    {
        var owner = CreateOwner(CallbackPlacement.Inline, strict: true, reporterThrows: false);
        var victim = owner.CreateSlot();
        var trigger = owner.CreateSlot();
        var doomed = await victim.RenewAsync().Within();
        doomed.Register(() => throw new InvalidTimeZoneException("callback"));
        var pull = await trigger.RenewAsync().Within();
        pull.Register(() =>
        {
            if (disposeSlot)
            {
                victim.Dispose();
            }
            else
            {
                owner.Dispose();
            }
        });

        await trigger.CancelAndDisposeAsync().Within();
        if (!disposeSlot)
        {
            await owner.Completion.Within();
        }

        await Bounded.Until(() => doomed.IsCancellationRequested && !_reported.IsEmpty, "the disposal ended the token and reported its callback");
        Assert.IsType<InvalidTimeZoneException>(Assert.Single(Assert.IsType<AggregateException>(Assert.Single(_reported)).InnerExceptions));
    }

    [Fact]
    [Trait("Guarantee", "6")]
    public async Task StrictRenew_FaultedResultDiscarded_RaisesNoUnobservedTaskException()
    {
        var marker = "discarded-" + Guid.NewGuid().ToString("N");
        var unobserved = 0;
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception.ToString().Contains(marker, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref unobserved);
            }
        };
        TaskScheduler.UnobservedTaskException += handler;
        try
        {
            await DiscardFaultedRenewsAsync(marker);
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            Assert.Equal(0, Volatile.Read(ref unobserved));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= handler;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private async Task DiscardFaultedRenewsAsync(string marker)
    {
        var owner = CreateOwner(CallbackPlacement.Inline, strict: true, reporterThrows: false);
        for (var i = 0; i < 10; i++)
        {
            var token = await owner.RenewAsync().Within().ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : default);
            token.Register(() => throw new InvalidTimeZoneException(marker));
            _ = owner.RenewAsync(); // faults with the callback's exception; nobody looks
        }

        await owner.CancelAndDisposeAsync().AsTask().ContinueWith(t => t.Exception).Within();
        await owner.DisposeAsync().Within();
    }

    [Fact]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "2")]
    public async Task StrictCancelAll_SeveralCallbacksThrow_AllTokensEndedAndErrorsAggregated()
    {
        var owner = CreateOwner(CallbackPlacement.Inline, strict: true, reporterThrows: false);
        var tokens = new CancellationToken[3];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = await owner.CreateSlot().RenewAsync().Within();
            var message = "callback " + i;
            tokens[i].Register(() => throw new InvalidTimeZoneException(message));
        }

        var ex = await Assert.ThrowsAsync<AggregateException>(() => owner.CancelAllAsync().Within());

        Assert.Equal(3, ex.InnerExceptions.Count);
        Assert.Equal(["callback 0", "callback 1", "callback 2"], ex.Flatten().InnerExceptions.Select(e => e.Message).Order());
        Assert.All(tokens, t => Assert.True(t.IsCancellationRequested));
        Assert.Empty(_reported);
        _counter.AssertBalanced();
        await owner.DisposeAsync().Within();
    }

    [Fact]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "2")]
    public async Task RenewOwned_CallerDisposedSourceBehindOwnersBack_ReportedOnceAndOwnerKeepsWorking()
    {
        var owner = CreateOwner(CallbackPlacement.Inline, strict: false, reporterThrows: false);
        var source = new CancellationTokenSource();
        await owner.RenewOwnedAsync(source).Within();
        source.Dispose();

        var next = await owner.RenewAsync().Within();

        Assert.IsType<ObjectDisposedException>(Assert.Single(_reported));
        Assert.True(owner.IsCurrent(next));
        await owner.DisposeAsync().Within();
        Assert.Single(_reported);
    }

    [Fact]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "2")]
    public async Task StrictRenewOwned_CallerDisposedSourceBehindOwnersBack_PropagatesObjectDisposed()
    {
        var owner = CreateOwner(CallbackPlacement.Inline, strict: true, reporterThrows: false);
        var source = new CancellationTokenSource();
        await owner.RenewOwnedAsync(source).Within();
        source.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => owner.CancelAndDisposeAsync().Within());

        Assert.Empty(_reported);
        Assert.True(owner.IsCurrent(await owner.RenewAsync().Within()));
        await owner.DisposeAsync().Within();
    }

    private TokenOwner CreateOwner(CallbackPlacement placement, bool strict, bool reporterThrows) => new(new TokenOwnerOptions
    {
        TimeProvider = _time,
        CallbackPlacement = placement,
        CallbackContext = placement == CallbackPlacement.SynchronizationContext ? _context : null,
        ThrowOnCancelException = strict,
        SourceFactory = _counter.Create,
        OnCancelException = ex =>
        {
            _reported.Enqueue(ex);
            if (reporterThrows)
            {
                throw new InvalidOperationException("reporter");
            }
        },
    });

    [Fact]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "7")]
    public async Task Dispose_StrictInlineThrowingCallback_ThrowsFirstCallOnly()
    {
        var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        var thrown = await Task.Run(() => Record.Exception(owner.Dispose)).Within();
        Assert.NotNull(thrown);
        Assert.True(Exceptions.Contains<CallbackBoom>(thrown));
        await Task.Run(owner.Dispose).Within();
        await owner.Completion.Within();
    }

    [Fact]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "7")]
    public async Task Dispose_StrictThreadPoolThrowingCallback_ReportedNotThrown()
    {
        var reporter = new Reporter();
        var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true, CallbackPlacement = CallbackPlacement.ThreadPool, OnCancelException = reporter.Report });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        await Task.Run(owner.Dispose).Within();
        await owner.Completion.Within();
        await Bounded.Until(() => reporter.Count == 1, "the exception is reported");
    }

    [Fact]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "7")]
    public async Task SlotDispose_StrictThrowingCallback_SlotRetiredAnyway()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        await Record.ExceptionAsync(async () => await slot.DisposeAsync().Within());
        Assert.True(token.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => { _ = slot.RenewAsync(); });
    }

    [Fact]
    [Trait("Guarantee", "6")]
    public async Task TouchAsync_ZeroStrictThrowingCallback_TokenEndedAnyway()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true, TimeProvider = new ManualTimeProvider() });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom());
        await Record.ExceptionAsync(async () => await owner.TouchAsync(TimeSpan.Zero).Within());
        Assert.True(token.IsCancellationRequested);
        Assert.False(await owner.TouchAsync(TimeSpan.FromSeconds(1)).Within());
    }

    [Fact]
    [Trait("Guarantee", "6")]
    public async Task DefaultPolicy_SeveralThrowingCallbacksOnOneToken_ReportedOnce()
    {
        var reporter = new Reporter();
        await using var owner = new TokenOwner(new TokenOwnerOptions { OnCancelException = reporter.Report });
        var token = await owner.RenewAsync().Within();
        token.Register(() => throw new CallbackBoom("1"));
        token.Register(() => throw new CallbackBoom("2"));
        await owner.CancelAndDisposeAsync().Within();
        Assert.Equal(1, reporter.Count);
        var aggregate = Assert.IsType<AggregateException>(reporter.Reported[0]);
        Assert.Equal(2, aggregate.Flatten().InnerExceptions.Count);
    }

    [Fact]
    [Trait("Guarantee", "6")]
    public async Task DefaultPolicy_CancelAllWithTwoThrowingSlots_EachReportedOnce()
    {
        var reporter = new Reporter();
        await using var owner = new TokenOwner(new TokenOwnerOptions { OnCancelException = reporter.Report });
        var a = await owner.CreateSlot().RenewAsync().Within();
        var b = await owner.CreateSlot().RenewAsync().Within();
        a.Register(() => throw new CallbackBoom("a"));
        b.Register(() => throw new CallbackBoom("b"));
        await owner.CancelAllAsync().Within();
        Assert.Equal(2, reporter.Count);
    }

    [Fact]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "2")]
    public async Task RenewAsync_OwnedSourceDisposedBehindOurBackStrict_CallerFaultsStateConsistent()
    {
        await using var owner = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        var source = new CancellationTokenSource();
        await owner.RenewOwnedAsync(source).Within();
        source.Dispose();
        var thrown = await Record.ExceptionAsync(async () => await owner.RenewAsync());
        Assert.NotNull(thrown);
        Assert.True(Exceptions.Contains<ObjectDisposedException>(thrown));
        Assert.True(await owner.TouchAsync(TimeSpan.FromMinutes(1)).Within());
        var next = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(next));
    }

    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "3")]
    [Trait("Guarantee", "2")]
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
        Assert.True(Exceptions.Contains<CallbackBoom>(thrown));
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
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "7")]
    [Trait("Guarantee", "2")]
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
        Assert.True(Exceptions.Contains<CallbackBoom>(thrown));
        await owner.DisposeAsync().Within();
        await owner.Completion.Within();
        factory.AssertAllEndedExactlyOnce();
    }

    [Fact]
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "7")]
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
    [Trait("Guarantee", "6")]
    [Trait("Guarantee", "7")]
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
