using System.Globalization;
using System.Linq;
using System.Threading;

namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>
/// One operation of a concurrent history: what was asked, what came back, and when it was invoked and
/// answered on a global counter that orders both events in real time.
/// </summary>
public sealed class HistoryEntry
{
    public HistoryEntry(int thread, OpKind kind, int slot, CancellationToken argument = default)
    {
        Thread = thread;
        Kind = kind;
        Slot = slot;
        Argument = argument;
    }

    public int Thread { get; }

    public OpKind Kind { get; }

    public int Slot { get; }

    /// <summary>Whether the synchronous form was called.</summary>
    public bool Sync { get; set; }

    /// <summary>For <see cref="OpKind.IsCurrent"/>: the token asked about.</summary>
    public CancellationToken Argument { get; }

    public long Invoked { get; set; }

    public long Answered { get; set; }

    public Outcome Outcome { get; set; }

    /// <summary>For renews: the token returned.</summary>
    public CancellationToken Token { get; set; }

    /// <summary>For touches and <see cref="OpKind.IsCurrent"/>: the answer.</summary>
    public bool Flag { get; set; }

    /// <summary>
    /// The tokens handed out so far in the round (renews that had answered) that were still live just
    /// after this operation's reply was observed by its caller; null when none was.
    /// </summary>
    public CancellationToken[]? LiveAtReply { get; set; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"[{Invoked}..{Answered}] t{Thread} {(Sync ? "sync " : "")}{Kind}(slot {Slot}) -> {Outcome}{(Kind is OpKind.Renew or OpKind.RenewAfter && Outcome == Outcome.Ok ? " token#" + Token.GetHashCode().ToString("x", CultureInfo.InvariantCulture) : "")}{(Kind is OpKind.IsCurrent ? " of token#" + Argument.GetHashCode().ToString("x", CultureInfo.InvariantCulture) : "")}{(Kind is OpKind.TouchZero or OpKind.TouchLonger or OpKind.IsCurrent ? " " + Flag : "")}{(LiveAtReply is { Length: > 0 } live ? "; live at reply: " + string.Join(",", live.Select(t => "token#" + t.GetHashCode().ToString("x", CultureInfo.InvariantCulture))) : "")}");
}
