using System;
using System.Globalization;

namespace Lifetime.Reliability.Tests.Model;

/// <summary>One generated operation with its arguments, chosen by index so that a seed replays it exactly.</summary>
public sealed class Step
{
    /// <summary>Timeouts offered: bad ones (negative, too long) included.</summary>
    public static readonly TimeSpan[] Timeouts =
    [
        TimeSpan.FromMilliseconds(-5),
        System.Threading.Timeout.InfiniteTimeSpan,
        TimeSpan.Zero,
        TimeSpan.FromMilliseconds(5),
        TimeSpan.FromMilliseconds(10),
        TimeSpan.FromMilliseconds(35),
        TimeSpan.FromMilliseconds(200),
        TimeSpan.FromSeconds(7),
        TimeSpan.FromMilliseconds(4294967294),
        TimeSpan.FromMilliseconds(4294967295),
    ];

    /// <summary>Clock advances offered.</summary>
    public static readonly TimeSpan[] Advances =
    [
        TimeSpan.FromMilliseconds(1),
        TimeSpan.FromMilliseconds(5),
        TimeSpan.FromMilliseconds(10),
        TimeSpan.FromMilliseconds(30),
        TimeSpan.FromMilliseconds(150),
        TimeSpan.FromSeconds(6),
    ];

    public Step(StepKind kind, int slot = 0, int timeout = 1, LinkChoice links = LinkChoice.External, int target = 0, int second = 0, SourceChoice source = SourceChoice.Fresh, bool sync = false)
    {
        Sync = sync;
        Kind = kind;
        Slot = slot;
        Timeout = timeout;
        Links = links;
        Target = target;
        Second = second;
        Source = source;
    }

    public StepKind Kind { get; }

    /// <summary>Index into the sequence's slots (0 is the default slot).</summary>
    public int Slot { get; }

    /// <summary>Index into <see cref="Timeouts"/> (or <see cref="Advances"/> for a clock step).</summary>
    public int Timeout { get; }

    public LinkChoice Links { get; }

    /// <summary>An external token, or an issued token, by index (meaning depends on the kind).</summary>
    public int Target { get; }

    /// <summary>A second external token for two-link renews.</summary>
    public int Second { get; }

    public SourceChoice Source { get; }

    /// <summary>Whether the synchronous form is called (Renew, CancelAndDispose, Touch, CancelAll) instead of the async one.</summary>
    public bool Sync { get; }

    public TimeSpan TimeoutValue => Timeouts[Timeout];

    public override string ToString() => (Sync ? "sync " : "") + Kind switch
    {
        StepKind.RenewAfter or StepKind.Touch => string.Create(CultureInfo.InvariantCulture, $"{Kind}(slot {Slot}, {TimeoutValue})"),
        StepKind.RenewLinked => string.Create(CultureInfo.InvariantCulture, $"{Kind}(slot {Slot}, {Links} {Target}/{Second})"),
        StepKind.RenewLinkedAfter => string.Create(CultureInfo.InvariantCulture, $"{Kind}(slot {Slot}, {TimeoutValue}, {Links} {Target}/{Second})"),
        StepKind.RenewOwned => string.Create(CultureInfo.InvariantCulture, $"{Kind}(slot {Slot}, {Source})"),
        StepKind.Advance => string.Create(CultureInfo.InvariantCulture, $"{Kind}({Advances[Timeout]})"),
        StepKind.IsCurrent or StepKind.AddThrowingCallback => string.Create(CultureInfo.InvariantCulture, $"{Kind}(slot {Slot}, token {Target})"),
        StepKind.CancelExternal => string.Create(CultureInfo.InvariantCulture, $"{Kind}({Target})"),
        StepKind.FireOuter or StepKind.CancelAll or StepKind.CreateSlot or StepKind.DisposeOwner or StepKind.DisposeOwnerSync => Kind.ToString(),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Kind}(slot {Slot})"),
    };
}
