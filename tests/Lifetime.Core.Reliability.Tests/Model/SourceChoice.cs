namespace Lifetime.Reliability.Tests.Model;

/// <summary>What a <c>RenewOwnedAsync</c> is handed.</summary>
public enum SourceChoice
{
    Fresh,
    Null,
    AlreadyOwned,
    Disposed,
}
