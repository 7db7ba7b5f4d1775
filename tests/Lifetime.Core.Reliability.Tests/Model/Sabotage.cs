namespace Lifetime.Reliability.Tests.Model;

/// <summary>Planted bugs for the checkers' self-tests: a double of the owner that skips part of its work.</summary>
public enum Sabotage
{
    None,

    /// <summary>CancelAndDispose on a created slot answers without ending anything.</summary>
    SkipCancelOnSlots,

    /// <summary>The owner's disposal answers without disposing anything.</summary>
    SkipOwnerDispose,

    /// <summary>The outer token firing is taken for an explicit disposal (the owner is disposed, then the token fires).</summary>
    EndOfLifeAsDispose,

    /// <summary>The owner tells <see cref="TokenEndCause.Cancelled"/> for a token that cancel-all ended.</summary>
    MislabelCancelAll,

    /// <summary>The synchronous CancelAndDispose answers without ending anything (the async form works).</summary>
    SkipSyncCancel,
}
