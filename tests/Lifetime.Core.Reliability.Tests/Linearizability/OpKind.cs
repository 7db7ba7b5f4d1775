namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>The operations of a concurrent history.</summary>
public enum OpKind
{
    Renew,
    RenewAfter,
    Cancel,
    TouchZero,
    TouchLonger,
    IsCurrent,
    CancelAll,
    Retire,
    Dispose,

    /// <summary>The owner's outer token fires (guarantee 7 v2).</summary>
    EndLife,

    /// <summary>Checker only: the end of one slot's token by a <see cref="CancelAll"/>.</summary>
    CancelAllOne,

    /// <summary>Checker only: the end of one slot's token by a <see cref="Dispose"/>.</summary>
    DisposeOne,

    /// <summary>Checker only: the end of one slot's token by an <see cref="EndLife"/>.</summary>
    EndLifeOne,

    /// <summary>
    /// Checker only: a <see cref="Retire"/>'s request at its call site, which decides whether it comes before
    /// the end of life; the <see cref="Retire"/> step is its processing.
    /// </summary>
    RetireRequest,
}
