namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>How an operation of a history ended.</summary>
public enum Outcome
{
    Ok,
    Disposed,
}
