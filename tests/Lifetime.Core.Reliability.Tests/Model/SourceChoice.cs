namespace Lifetime.Reliability.Tests.Model;

/// <summary>What a <c>RenewOwnedAsync</c> is handed.</summary>
public enum SourceChoice
{
    Fresh,
    Null,
    AlreadyOwned,
    Disposed,

    /// <summary>A source the caller already cancelled: its token is born ended (<see cref="TokenEndCause.Cancelled"/>).</summary>
    Cancelled,
}
