namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>How an operation of a history ended.</summary>
public enum Outcome
{
    Ok,
    Disposed,

    /// <summary>A renew after the end of life: an already-cancelled token, installed nowhere.</summary>
    Ended,
}
