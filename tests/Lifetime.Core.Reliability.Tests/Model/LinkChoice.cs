namespace Lifetime.Reliability.Tests.Model;

/// <summary>What a linked renew links to.</summary>
public enum LinkChoice
{
    NullArray,
    EmptyArray,
    External,
    TwoExternals,
    None,
    Cancelled,
    IssuedToken,
}
