using System;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Metrics;

/// <summary>
/// Pins every instrument of the <c>Lifetime</c> meter: name, unit, kind, tags, and when it moves. Run
/// alone: the meter is process-wide, and observable instruments are compared between two readings.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class LifetimeMetricsTests : IDisposable
{
    private readonly MetricRecorder _recorder = new();

    public void Dispose() => _recorder.Dispose();

    [Fact]
    public void Meter_PublishesEveryInstrument_WithNameUnitAndKind()
    {
        Assert.Equal("Lifetime", TokenOwner.MeterName);
        using var owner = new TokenOwner();
        var expected = new (string Name, string Unit, Type Kind)[]
        {
            ("lifetime.owners.live", "{owner}", typeof(ObservableUpDownCounter<long>)),
            ("lifetime.sources.live", "{source}", typeof(ObservableUpDownCounter<long>)),
            ("lifetime.renews", "{renew}", typeof(ObservableCounter<long>)),
            ("lifetime.tokens.ended", "{token}", typeof(ObservableCounter<long>)),
            ("lifetime.callback.exceptions", "{exception}", typeof(Counter<long>)),
            ("lifetime.mailbox.depth", "{message}", typeof(ObservableUpDownCounter<long>)),
            ("lifetime.processing.duration", "s", typeof(Histogram<double>)),
        };

        Assert.Equal(expected.Select(e => e.Name).Order(), _recorder.Instruments.Keys.Order());
        foreach (var (name, unit, kind) in expected)
        {
            var instrument = _recorder.Instruments[name];
            Assert.Equal(unit, instrument.Unit);
            Assert.IsType(kind, instrument);
            Assert.False(string.IsNullOrEmpty(instrument.Description));
            Assert.True(instrument.Enabled);
        }
    }

    [Fact]
    public void Renews_EachVariant_CountedOnceWithItsVariantTag()
    {
        using var owner = new TokenOwner();
        using var link = new CancellationTokenSource();
        var start = _recorder.Observe();
        owner.Renew();
        owner.RenewLinked();
        owner.RenewAfter(TimeSpan.FromHours(1));
        owner.RenewLinked(link.Token);
        owner.RenewLinkedAfter(TimeSpan.FromHours(1), link.Token);
        owner.RenewOwned(new CancellationTokenSource());

        // An empty link list is a plain renew; a failed renew hands out nothing and counts nothing.
        var end = _recorder.Observe();
        Assert.Equal(2, end.Since(start, "lifetime.renews", "renew"));
        Assert.Equal(1, end.Since(start, "lifetime.renews", "renew_after"));
        Assert.Equal(1, end.Since(start, "lifetime.renews", "renew_linked"));
        Assert.Equal(1, end.Since(start, "lifetime.renews", "renew_linked_after"));
        Assert.Equal(1, end.Since(start, "lifetime.renews", "renew_owned"));
        var renews = end.Measurements.Where(m => m.Name == "lifetime.renews").ToList();
        Assert.Equal(5, renews.Count);
        Assert.All(renews, m => Assert.Equal(["variant"], m.Tags.Keys));

        owner.Dispose();
        var disposed = _recorder.Observe();
        Assert.Throws<ObjectDisposedException>(() => owner.Renew());
        Assert.Equal(0, _recorder.Observe().Since(disposed, "lifetime.renews"));
    }

    [Fact]
    public void TokensEnded_EachCause_CountedWithSnakeCaseCauseTag()
    {
        var time = new ManualTimeProvider();
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time, OuterToken = outer.Token });
        using var link = new CancellationTokenSource();
        var start = _recorder.Observe();

        owner.Renew();
        owner.Renew(); // renewed
        owner.CancelAndDispose(); // cancelled
        owner.Renew();
        owner.CancelAll(); // cancelled_all
        owner.RenewAfter(TimeSpan.Zero); // timed_out, born ended
        owner.RenewAfter(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(2)); // timed_out by the deadline
        owner.RenewLinked(link.Token);
        link.Cancel(); // link_cancelled
        var slot = owner.CreateSlot();
        slot.Renew();
        slot.Dispose(); // slot_disposed
        owner.Renew();
        outer.Cancel(); // owner_ended
        Assert.True(owner.Completion.IsCompleted);

        using var second = new TokenOwner();
        second.Renew();
        second.Dispose(); // owner_disposed

        var end = _recorder.Observe();
        Assert.Equal(1, end.Since(start, "lifetime.tokens.ended", "renewed"));
        Assert.Equal(1, end.Since(start, "lifetime.tokens.ended", "cancelled"));
        Assert.Equal(1, end.Since(start, "lifetime.tokens.ended", "cancelled_all"));
        Assert.Equal(2, end.Since(start, "lifetime.tokens.ended", "timed_out"));
        Assert.Equal(1, end.Since(start, "lifetime.tokens.ended", "link_cancelled"));
        Assert.Equal(1, end.Since(start, "lifetime.tokens.ended", "slot_disposed"));
        Assert.Equal(1, end.Since(start, "lifetime.tokens.ended", "owner_ended"));
        Assert.Equal(1, end.Since(start, "lifetime.tokens.ended", "owner_disposed"));
        Assert.Equal(9, end.Since(start, "lifetime.tokens.ended"));
        var causes = end.Measurements.Where(m => m.Name == "lifetime.tokens.ended").Select(m => (string)m.Tags["cause"]!);
        Assert.Equal(["cancelled", "cancelled_all", "link_cancelled", "owner_disposed", "owner_ended", "renewed", "slot_disposed", "timed_out"], causes.Order());

        // A renew after the end of life hands out the shared, already-ended token: no new end.
        Assert.True(owner.Renew().IsCancellationRequested);
        Assert.Equal(0, _recorder.Observe().Since(end, "lifetime.tokens.ended"));
    }

    [Fact]
    public void SourcesLive_CreatedAndDisposed_BalanceToZero()
    {
        var start = _recorder.Observe();
        double Live() => _recorder.Observe().Since(start, "lifetime.sources.live");

        var owner = new TokenOwner();
        owner.Renew();
        Assert.Equal(1, Live());
        owner.Renew();
        Assert.Equal(1, Live());
        owner.RenewOwned(new CancellationTokenSource());
        Assert.Equal(1, Live());
        var slot = owner.CreateSlot();
        slot.Renew();
        Assert.Equal(2, Live());
        owner.Dispose();
        Assert.Equal(0, Live());

        // A source handed to a disposed owner is the owner's, and disposed with the refusal.
        Assert.Throws<ObjectDisposedException>(() => owner.RenewOwned(new CancellationTokenSource()));
        Assert.Equal(0, Live());
        Assert.All(_recorder.Observe().Measurements.Where(m => m.Name == "lifetime.sources.live"), m => Assert.Empty(m.Tags));
    }

    /// <summary>
    /// Renews from several threads at once, so that the processing path moves between threads and, with a
    /// dispatched placement, sources are disposed on pool threads while another thread processes: every
    /// figure must still add up exactly, each event counted once on some thread.
    /// </summary>
    [Theory]
    [InlineData(CallbackPlacement.Inline)]
    [InlineData(CallbackPlacement.ThreadPool)]
    public async Task Counts_RenewsFromManyThreads_AddUpExactly(CallbackPlacement placement)
    {
        const int Threads = 4;
        const int RenewsPerThread = 5_000;
        var start = _recorder.Observe();
        var owner = new TokenOwner(new TokenOwnerOptions { CallbackPlacement = placement });
        var slots = Enumerable.Range(0, Threads).Select(_ => owner.CreateSlot()).ToArray();
        using var ready = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(i => Task.Factory.StartNew(
            async () =>
            {
                ready.SignalAndWait();
                for (var n = 0; n < RenewsPerThread; n++)
                {
                    // Alternate the owner's default slot (shared by all threads) and a slot of this thread's.
                    if (n % 2 == 0)
                    {
                        await owner.RenewAsync();
                    }
                    else
                    {
                        slots[i].Renew();
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()).ToArray();
        await Task.WhenAll(workers).Within();
        await owner.DisposeAsync().Within();
        await owner.Completion.Within();

        var end = _recorder.Observe();
        const int Total = Threads * RenewsPerThread;
        Assert.Equal(Total, end.Since(start, "lifetime.renews", "renew"));
        Assert.Equal(0, end.Since(start, "lifetime.sources.live"));

        // Every token but one per slot was renewed away; the last of each slot ended with the owner.
        Assert.Equal(Total - Threads - 1, end.Since(start, "lifetime.tokens.ended", "renewed"));
        Assert.Equal(Threads + 1, end.Since(start, "lifetime.tokens.ended", "owner_disposed"));
    }

    [Fact]
    public void SourcesLive_EndOfLife_OwnedSourceCountedAndDisposed()
    {
        using var outer = new CancellationTokenSource();
        var start = _recorder.Observe();
        var owner = new TokenOwner(outer.Token);
        owner.Renew();
        outer.Cancel();
        Assert.Equal(0, _recorder.Observe().Since(start, "lifetime.sources.live"));

        var token = owner.RenewOwned(new CancellationTokenSource());
        Assert.True(token.IsCancellationRequested);
        var end = _recorder.Observe();
        Assert.Equal(0, end.Since(start, "lifetime.sources.live"));
        Assert.Equal(2, end.Since(start, "lifetime.tokens.ended", "owner_ended"));
    }

    [Fact]
    public void Counts_FromAThreadThatExited_StayInTheTotalsOnce()
    {
        var start = _recorder.Observe();
        var threadsBefore = LifetimeMetrics.ThreadsCounting;
        var threadsWhileRunning = 0;
        var thread = new Thread(() =>
        {
            using var owner = new TokenOwner();
            owner.Renew();
            owner.Renew();
            threadsWhileRunning = LifetimeMetrics.ThreadsCounting;
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)));
        Assert.True(threadsWhileRunning > threadsBefore);

        // The exited thread's counts are folded into the totals when its thread-local state is finalized,
        // and its entry leaves the list of counting threads.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (LifetimeMetrics.ThreadsCounting >= threadsWhileRunning && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.True(LifetimeMetrics.ThreadsCounting < threadsWhileRunning);
        var end = _recorder.Observe();
        Assert.Equal(2, end.Since(start, "lifetime.renews", "renew"));
        Assert.Equal(2, end.Since(start, "lifetime.tokens.ended"));
        Assert.Equal(0, end.Since(start, "lifetime.sources.live"));
    }

    [Fact]
    public void CallbackExceptions_EachThrowingCallback_Counted()
    {
        var reported = 0;
        using var owner = new TokenOwner(new TokenOwnerOptions { OnCancelException = _ => reported++ });
        var token = owner.Renew();
        token.Register(static () => throw new InvalidOperationException("one"));
        token.Register(static () => throw new InvalidOperationException("two"));
        owner.CancelAndDispose();
        Assert.Equal(1, reported);
        Assert.Equal(2, _recorder.Sum("lifetime.callback.exceptions"));

        var strict = new TokenOwner(new TokenOwnerOptions { ThrowOnCancelException = true });
        strict.Renew().Register(static () => throw new InvalidOperationException("three"));
        Assert.Throws<AggregateException>(() => strict.CancelAndDispose());
        Assert.Equal(3, _recorder.Sum("lifetime.callback.exceptions"));
        strict.Dispose();

        owner.Renew();
        owner.Renew();
        Assert.Equal(3, _recorder.Sum("lifetime.callback.exceptions"));
    }

    [Fact]
    public void MailboxDepth_MessageQueuedBehindTheCurrentOne_CountedUpThenDown()
    {
        using var owner = new TokenOwner();
        ValueTask<CancellationToken> queued = default;
        double? whileQueued = null;
        var start = _recorder.Observe();
        owner.Renew().Register(() =>
        {
            queued = owner.RenewAsync();
            whileQueued = _recorder.Observe().Since(start, "lifetime.mailbox.depth");
        });

        // The callback runs on the processing path: its renew is queued behind the current message.
        owner.Renew();
        Assert.True(queued.IsCompletedSuccessfully);
        Assert.Equal(1, whileQueued);
        var end = _recorder.Observe();
        Assert.Equal(0, end.Since(start, "lifetime.mailbox.depth"));
        Assert.All(end.Measurements.Where(m => m.Name == "lifetime.mailbox.depth"), m => Assert.Empty(m.Tags));
    }

    [Fact]
    public void ProcessingDuration_OneMessageInSixtyFour_RecordedInSeconds()
    {
        using var owner = new TokenOwner();
        Assert.Equal(64, LifetimeMetrics.SampleInterval);

        // Whatever this thread processed before, any 128 messages in a row on it hold exactly two of the sample.
        for (var i = 0; i < 2 * LifetimeMetrics.SampleInterval; i++)
        {
            owner.Renew();
        }

        var durations = _recorder.Of("lifetime.processing.duration");
        Assert.Equal(2, durations.Count);
        Assert.All(durations, m =>
        {
            Assert.InRange(m.Value, 0, 10);
            Assert.Empty(m.Tags);
        });
    }

    [Fact]
    public async Task OwnersLive_CreatedThenCompleted_MovesUpThenDown()
    {
        var start = _recorder.Observe();
        double Live() => _recorder.Observe().Since(start, "lifetime.owners.live");

        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        Assert.Equal(1, Live());
        slot.Renew();
        await owner.DisposeAsync().Within();
        await owner.Completion.Within();
        Assert.Equal(0, Live());
        owner.Dispose();
        Assert.Equal(0, Live());
    }

    [Fact]
    public async Task OwnersLive_EndOfLife_CountedDownWhenCompleted()
    {
        var start = _recorder.Observe();
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(new TokenOwnerOptions { OuterToken = outer.Token, CallbackPlacement = CallbackPlacement.ThreadPool });
        await owner.RenewAsync().Within();
        Assert.Equal(1, _recorder.Observe().Since(start, "lifetime.owners.live"));
        outer.Cancel();
        await owner.Completion.Within();
        Assert.Equal(0, _recorder.Observe().Since(start, "lifetime.owners.live"));
    }
}
