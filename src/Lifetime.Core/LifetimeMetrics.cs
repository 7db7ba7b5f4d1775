using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;

namespace Lifetime;

/// <summary>
/// The <c>Lifetime</c> meter and its instruments (see docs/observability.md). Every recording site checks
/// the instrument's <see cref="Instrument.Enabled"/> first, a field read, so that with no listener
/// attached the hot path does no more than that: no atomic, no tag array, no boxing (tag values are
/// boxed once, here).
/// </summary>
/// <remarks>
/// Live sources and mailbox depth are up-down counters that move only while a listener is attached:
/// they count from the moment it attached, as ASP.NET Core's active-request counters do. Live owners is
/// observable, fed from one counter that is always kept (one atomic per owner created and per owner
/// completed, never on a renew).
/// </remarks>
internal static class LifetimeMetrics
{
    public static readonly Meter Meter = new(TokenOwner.MeterName, typeof(LifetimeMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> Renews = Meter.CreateCounter<long>("lifetime.renews", "{renew}", "Tokens handed out by renews, by variant.");

    public static readonly Counter<long> TokensEnded = Meter.CreateCounter<long>("lifetime.tokens.ended", "{token}", "Tokens ended by their owner, by end cause.");

    public static readonly UpDownCounter<long> SourcesLive = Meter.CreateUpDownCounter<long>("lifetime.sources.live", "{source}", "Sources held by owners (created or taken over, not yet disposed), counted while a listener is attached.");

    public static readonly Counter<long> CallbackExceptions = Meter.CreateCounter<long>("lifetime.callback.exceptions", "{exception}", "Exceptions thrown by cancellation callbacks of ended tokens, thrown to the caller or reported.");

    public static readonly UpDownCounter<long> MailboxDepth = Meter.CreateUpDownCounter<long>("lifetime.mailbox.depth", "{message}", "Messages waiting in owners' mailboxes, counted while a listener is attached.");

    public static readonly Histogram<double> ProcessingDuration = Meter.CreateHistogram<double>("lifetime.processing.duration", "s", "Time the processing path spent on one message.");

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

    public static void OwnerCreated() => Interlocked.Increment(ref s_liveOwners);

    public static void OwnerCompleted() => Interlocked.Decrement(ref s_liveOwners);

    public static void AddRenew(Variant variant) => Renews.Add(1, s_variantTags[(int)variant]);

    public static void AddEnded(TokenEndCause cause) => TokensEnded.Add(1, s_causeTags[(int)cause]);
}
