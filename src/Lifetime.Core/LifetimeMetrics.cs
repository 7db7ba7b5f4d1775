using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Lifetime;

/// <summary>
/// The <c>Lifetime</c> meter and its instruments (see docs/observability.md).
/// </summary>
/// <remarks>
/// <para>
/// A renew moves four figures (a renew, an ended token, a source created, a source disposed). Recording
/// each through an instrument would cost a listener dispatch apiece, several times the renew itself, so
/// the frequent figures are counted the way the runtime counts thread-pool work items: each thread adds
/// to counts of its own with plain writes (<see cref="ThreadCounts"/>), and observable instruments sum the
/// threads' counts only when a listener collects. Counting happens only while an instrument is enabled:
/// with no listener a recording site costs one field read.
/// </para>
/// <para>
/// The processing path looks its thread's counts up once per message (<see cref="CountsForMessage"/>)
/// and adds to them through the owner while it processes that message, so a renew costs one thread-static
/// lookup, not one per figure. Code off the processing path (dispatched ends, refusals at a call site)
/// looks the counts up itself through the static <c>Add</c> methods.
/// </para>
/// <para>
/// Rare events (callback exceptions) use a plain counter. The processing-duration histogram times one
/// message in <see cref="SampleInterval"/> on each thread: timing every message would cost two clock
/// reads per renew, and a steady sample keeps the distribution's shape.
/// </para>
/// </remarks>
internal static class LifetimeMetrics
{
    /// <summary>
    /// Whether the recording sites are compiled in: false only in the benchmark's baseline build
    /// (<c>-p:LifetimeNoMeter=true</c>). A static readonly field, not a constant, so that the compiler
    /// keeps both builds free of unreachable-code warnings; the JIT folds it into a constant.
    /// </summary>
    public static readonly bool Recording =
#if LIFETIME_NO_METER
        false;
#else
        true;
#endif

    /// <summary>One message in this many is timed for the processing-duration histogram, on each thread.</summary>
    public const int SampleInterval = 64;

    // Indexes into a ThreadCounts' values: renews by variant, tokens ended by cause, then the four tallies.
    private const int RenewsAt = 0;
    private const int EndedAt = RenewsAt + VariantCount;
    private const int SourcesCreatedAt = EndedAt + CauseCount;
    private const int SourcesReleasedAt = SourcesCreatedAt + 1;
    private const int PostedAt = SourcesReleasedAt + 1;
    private const int TakenAt = PostedAt + 1;
    private const int ValueCount = TakenAt + 1;
    private const int VariantCount = 5;
    private const int CauseCount = 10;

    public static readonly Meter Meter = new(TokenOwner.MeterName, typeof(LifetimeMetrics).Assembly.GetName().Version?.ToString());

    public static readonly ObservableCounter<long> Renews = Meter.CreateObservableCounter("lifetime.renews", ObserveRenews, "{renew}", "Tokens handed out by renews, by variant, counted while a listener is attached.");

    public static readonly ObservableCounter<long> TokensEnded = Meter.CreateObservableCounter("lifetime.tokens.ended", ObserveEnded, "{token}", "Tokens ended by their owner, by end cause, counted while a listener is attached.");

    public static readonly ObservableUpDownCounter<long> SourcesLive = Meter.CreateObservableUpDownCounter("lifetime.sources.live", ObserveSourcesLive, "{source}", "Sources held by owners (created or taken over, not yet disposed), counted while a listener is attached.");

    public static readonly Counter<long> CallbackExceptions = Meter.CreateCounter<long>("lifetime.callback.exceptions", "{exception}", "Exceptions thrown by cancellation callbacks of ended tokens, thrown to the caller or reported.");

    public static readonly ObservableUpDownCounter<long> MailboxDepth = Meter.CreateObservableUpDownCounter("lifetime.mailbox.depth", ObserveMailboxDepth, "{message}", "Messages waiting in owners' mailboxes, counted while a listener is attached.");

    public static readonly Histogram<double> ProcessingDuration = Meter.CreateHistogram<double>("lifetime.processing.duration", "s", "Time the processing path spent on one message, for a sample of one message in 64 on each thread.");

    public static readonly ObservableUpDownCounter<long> OwnersLive = Meter.CreateObservableUpDownCounter("lifetime.owners.live", static () => Volatile.Read(ref s_liveOwners), "{owner}", "Owners created and not yet completed (disposed, drained, every source disposed).");

    private static readonly KeyValuePair<string, object?>[] s_variantTags =
    [
        new("variant", "renew"),
        new("variant", "renew_after"),
        new("variant", "renew_linked"),
        new("variant", "renew_linked_after"),
        new("variant", "renew_owned"),
    ];

    private static readonly KeyValuePair<string, object?>[] s_causeTags =
    [
        new("cause", "unknown"),
        new("cause", "live"),
        new("cause", "renewed"),
        new("cause", "timed_out"),
        new("cause", "link_cancelled"),
        new("cause", "cancelled"),
        new("cause", "cancelled_all"),
        new("cause", "slot_disposed"),
        new("cause", "owner_disposed"),
        new("cause", "owner_ended"),
    ];

    /// <summary>Guards <see cref="s_threads"/> and <see cref="s_retired"/>.</summary>
    private static readonly object s_lock = new();

    /// <summary>What threads that have exited counted, folded in when their counts were released.</summary>
    private static readonly long[] s_retired = new long[ValueCount];

    [ThreadStatic]
    private static ThreadCounts? s_threadCounts;

    [ThreadStatic]
    private static ExitSentinel? s_threadExitSentinel;

    /// <summary>The counts of live threads, newest first.</summary>
    private static ThreadCounts? s_threads;

    private static long s_liveOwners;

    /// <summary>The variants of a renew, as the <c>variant</c> tag names them.</summary>
    public enum Variant
    {
        Renew,
        RenewAfter,
        RenewLinked,
        RenewLinkedAfter,
        RenewOwned,
    }

    /// <summary>How many live threads have counts of their own (for tests: exited threads must leave the list).</summary>
    public static int ThreadsCounting
    {
        get
        {
            lock (s_lock)
            {
                var count = 0;
                for (var counts = s_threads; counts is not null; counts = counts.Next)
                {
                    count++;
                }

                return count;
            }
        }
    }

    public static void OwnerCreated()
    {
        if (Recording)
        {
            Interlocked.Increment(ref s_liveOwners);
        }
    }

    public static void OwnerCompleted()
    {
        if (Recording)
        {
            Interlocked.Decrement(ref s_liveOwners);
        }
    }

    public static void AddEnded(TokenEndCause cause) => ThisThread.AddEnded(cause);

    public static void AddSourceCreated() => ThisThread.AddSourceCreated();

    public static void AddSourceReleased() => ThisThread.AddSourceReleased();

    public static void AddPosted() => ThisThread.Values[PostedAt]++;

    public static void AddTaken() => ThisThread.Values[TakenAt]++;

    /// <summary>
    /// This thread's counts when any instrument the processing path records is enabled, for the whole of
    /// one message; null when none is (no listener), so that processing then counts nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ThreadCounts? CountsForMessage() =>
        Renews.Enabled || TokensEnded.Enabled || SourcesLive.Enabled || ProcessingDuration.Enabled ? ThisThread : null;

    public static void RecordProcessing(long startedTimestamp) =>
        ProcessingDuration.Record((Stopwatch.GetTimestamp() - startedTimestamp) / (double)Stopwatch.Frequency);

    /// <summary>This thread's counts, registered on first use.</summary>
    public static ThreadCounts ThisThread => s_threadCounts ?? Register();

    private static ThreadCounts Register()
    {
        var counts = new ThreadCounts();
        lock (s_lock)
        {
            counts.Next = s_threads;
            if (s_threads is not null)
            {
                s_threads.Previous = counts;
            }

            s_threads = counts;
        }

        s_threadCounts = counts;
        s_threadExitSentinel = new ExitSentinel(counts);
        return counts;
    }

    /// <summary>Folds the counts of a thread that has exited into <see cref="s_retired"/>.</summary>
    private static void Fold(ThreadCounts counts)
    {
        lock (s_lock)
        {
            for (var i = 0; i < ValueCount; i++)
            {
                s_retired[i] += counts.Values[i];
            }

            if (counts.Previous is null)
            {
                s_threads = counts.Next;
            }
            else
            {
                counts.Previous.Next = counts.Next;
            }

            if (counts.Next is not null)
            {
                counts.Next.Previous = counts.Previous;
            }
        }
    }

    /// <summary>The sum over every thread, live or exited, of the count at <paramref name="index"/>.</summary>
    private static long Total(int index)
    {
        lock (s_lock)
        {
            var total = s_retired[index];
            for (var counts = s_threads; counts is not null; counts = counts.Next)
            {
                total += Volatile.Read(ref counts.Values[index]);
            }

            return total;
        }
    }

    private static IEnumerable<Measurement<long>> ObserveRenews()
    {
        var measurements = new Measurement<long>[VariantCount];
        for (var i = 0; i < VariantCount; i++)
        {
            measurements[i] = new Measurement<long>(Total(RenewsAt + i), s_variantTags[i]);
        }

        return measurements;
    }

    private static IEnumerable<Measurement<long>> ObserveEnded()
    {
        // Unknown and Live are never the cause of an end the owner makes: only real causes are reported.
        var first = (int)TokenEndCause.Renewed;
        var measurements = new Measurement<long>[CauseCount - first];
        for (var i = first; i < CauseCount; i++)
        {
            measurements[i - first] = new Measurement<long>(Total(EndedAt + i), s_causeTags[i]);
        }

        return measurements;
    }

    private static long ObserveSourcesLive() => Total(SourcesCreatedAt) - Total(SourcesReleasedAt);

    private static long ObserveMailboxDepth() => Total(PostedAt) - Total(TakenAt);

    /// <summary>
    /// One thread's counts. Only that thread writes them, with plain writes; collection reads them, possibly
    /// a little stale. Never hand them to code that may run on another thread.
    /// </summary>
    internal sealed class ThreadCounts
    {
        public readonly long[] Values = new long[ValueCount];

        public ThreadCounts? Next;

        public ThreadCounts? Previous;

        private int _sampleCountdown = 1;

        public void AddRenew(Variant variant) => Values[RenewsAt + (int)variant]++;

        public void AddEnded(TokenEndCause cause) => Values[EndedAt + (int)cause]++;

        public void AddSourceCreated() => Values[SourcesCreatedAt]++;

        public void AddSourceReleased() => Values[SourcesReleasedAt]++;

        /// <summary>Whether the message about to be processed on this thread is one of the timed sample.</summary>
        public bool SampleThisMessage()
        {
            if (--_sampleCountdown > 0)
            {
                return false;
            }

            _sampleCountdown = SampleInterval;
            return true;
        }
    }

    /// <summary>
    /// Reachable only from its thread's static field (<see cref="s_threadExitSentinel"/>), unlike the counts, which
    /// the list of live threads also holds: when the thread exits, the sentinel dies with it and its finalizer
    /// folds the thread's counts into the retired totals, so threads that come and go leave nothing behind.
    /// </summary>
    private sealed class ExitSentinel
    {
        private readonly ThreadCounts _counts;

        public ExitSentinel(ThreadCounts counts) => _counts = counts;

        ~ExitSentinel() => Fold(_counts);
    }
}
