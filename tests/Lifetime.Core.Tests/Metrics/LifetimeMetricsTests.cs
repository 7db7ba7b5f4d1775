using System;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Contract;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests.Metrics;

/// <summary>
/// Pins every instrument of the <c>Lifetime</c> meter: name, unit, kind, tags, and when it moves. Run
/// alone (the meter is process-wide), and each test counts only what its own thread recorded.
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
            ("lifetime.sources.live", "{source}", typeof(UpDownCounter<long>)),
            ("lifetime.renews", "{renew}", typeof(Counter<long>)),
            ("lifetime.tokens.ended", "{token}", typeof(Counter<long>)),
            ("lifetime.callback.exceptions", "{exception}", typeof(Counter<long>)),
            ("lifetime.mailbox.depth", "{message}", typeof(UpDownCounter<long>)),
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
        owner.Renew();
        owner.RenewLinked();
        owner.RenewAfter(TimeSpan.FromHours(1));
        owner.RenewLinked(link.Token);
        owner.RenewLinkedAfter(TimeSpan.FromHours(1), link.Token);
        owner.RenewOwned(new CancellationTokenSource());

        // An empty link list is a plain renew; a failed renew hands out nothing and counts nothing.
        Assert.Equal(2, _recorder.Sum("lifetime.renews", "variant", "renew"));
        Assert.Equal(1, _recorder.Sum("lifetime.renews", "variant", "renew_after"));
        Assert.Equal(1, _recorder.Sum("lifetime.renews", "variant", "renew_linked"));
        Assert.Equal(1, _recorder.Sum("lifetime.renews", "variant", "renew_linked_after"));
        Assert.Equal(1, _recorder.Sum("lifetime.renews", "variant", "renew_owned"));
        Assert.All(_recorder.Of("lifetime.renews"), m => Assert.Equal(["variant"], m.Tags.Keys));

        owner.Dispose();
        _recorder.Clear();
        Assert.Throws<ObjectDisposedException>(() => owner.Renew());
        Assert.Empty(_recorder.Of("lifetime.renews"));
    }

    [Fact]
    public void TokensEnded_EachCause_CountedWithSnakeCaseCauseTag()
    {
        var time = new ManualTimeProvider();
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(new TokenOwnerOptions { TimeProvider = time, OuterToken = outer.Token });
        using var link = new CancellationTokenSource();

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

        Assert.Equal(1, _recorder.Sum("lifetime.tokens.ended", "cause", "renewed"));
        Assert.Equal(1, _recorder.Sum("lifetime.tokens.ended", "cause", "cancelled"));
        Assert.Equal(1, _recorder.Sum("lifetime.tokens.ended", "cause", "cancelled_all"));
        Assert.Equal(2, _recorder.Sum("lifetime.tokens.ended", "cause", "timed_out"));
        Assert.Equal(1, _recorder.Sum("lifetime.tokens.ended", "cause", "link_cancelled"));
        Assert.Equal(1, _recorder.Sum("lifetime.tokens.ended", "cause", "slot_disposed"));
        Assert.Equal(1, _recorder.Sum("lifetime.tokens.ended", "cause", "owner_ended"));
        Assert.Equal(1, _recorder.Sum("lifetime.tokens.ended", "cause", "owner_disposed"));
        Assert.Equal(9, _recorder.Sum("lifetime.tokens.ended"));

        // A renew after the end of life hands out the shared, already-ended token: no new end.
        _recorder.Clear();
        Assert.True(owner.Renew().IsCancellationRequested);
        Assert.Empty(_recorder.Of("lifetime.tokens.ended"));
    }

    [Fact]
    public void SourcesLive_CreatedAndDisposed_BalanceToZero()
    {
        var owner = new TokenOwner();
        owner.Renew();
        Assert.Equal(1, _recorder.Sum("lifetime.sources.live"));
        owner.Renew();
        Assert.Equal(1, _recorder.Sum("lifetime.sources.live"));
        owner.RenewOwned(new CancellationTokenSource());
        Assert.Equal(1, _recorder.Sum("lifetime.sources.live"));
        var slot = owner.CreateSlot();
        slot.Renew();
        Assert.Equal(2, _recorder.Sum("lifetime.sources.live"));
        owner.Dispose();
        Assert.Equal(0, _recorder.Sum("lifetime.sources.live"));

        // A source handed to a disposed owner is the owner's, and disposed with the refusal.
        Assert.Throws<ObjectDisposedException>(() => owner.RenewOwned(new CancellationTokenSource()));
        Assert.Equal(0, _recorder.Sum("lifetime.sources.live"));
        Assert.Equal(10, _recorder.Of("lifetime.sources.live").Count);
        Assert.All(_recorder.Of("lifetime.sources.live"), m => Assert.Empty(m.Tags));
    }

    [Fact]
    public void SourcesLive_EndOfLife_OwnedSourceCountedAndDisposed()
    {
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(outer.Token);
        owner.Renew();
        outer.Cancel();
        Assert.Equal(0, _recorder.Sum("lifetime.sources.live"));

        var token = owner.RenewOwned(new CancellationTokenSource());
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(0, _recorder.Sum("lifetime.sources.live"));
        Assert.Equal(2, _recorder.Sum("lifetime.tokens.ended", "cause", "owner_ended"));
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
        owner.Renew().Register(() => queued = owner.RenewAsync());
        _recorder.Clear();

        // The callback runs on the processing path: its renew is queued behind the current message.
        owner.Renew();
        Assert.True(queued.IsCompletedSuccessfully);
        var depth = _recorder.Of("lifetime.mailbox.depth");
        Assert.Equal([1.0, -1.0], depth.Select(m => m.Value));
        Assert.All(depth, m => Assert.Empty(m.Tags));

        _recorder.Clear();
        owner.Renew();
        Assert.Empty(_recorder.Of("lifetime.mailbox.depth"));
    }

    [Fact]
    public void ProcessingDuration_EachProcessedMessage_RecordedInSeconds()
    {
        using var owner = new TokenOwner();
        owner.Renew();
        owner.CancelAndDispose();
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
        var before = _recorder.ObserveOwnersLive();
        var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        Assert.Equal(before + 1, _recorder.ObserveOwnersLive());
        slot.Renew();
        await owner.DisposeAsync().Within();
        await owner.Completion.Within();
        Assert.Equal(before, _recorder.ObserveOwnersLive());
        owner.Dispose();
        Assert.Equal(before, _recorder.ObserveOwnersLive());
    }

    [Fact]
    public async Task OwnersLive_EndOfLife_CountedDownWhenCompleted()
    {
        var before = _recorder.ObserveOwnersLive();
        using var outer = new CancellationTokenSource();
        var owner = new TokenOwner(new TokenOwnerOptions { OuterToken = outer.Token, CallbackPlacement = CallbackPlacement.ThreadPool });
        await owner.RenewAsync().Within();
        Assert.Equal(before + 1, _recorder.ObserveOwnersLive());
        outer.Cancel();
        await owner.Completion.Within();
        Assert.Equal(before, _recorder.ObserveOwnersLive());
    }
}
