namespace Lifetime.Reliability.Tests.Model;

/// <summary>Planted bugs for the checkers' self-tests: a double of the owner that skips part of its work.</summary>
public enum Sabotage
{
    None,

    /// <summary>CancelAndDispose on a created slot answers without ending anything.</summary>
    SkipCancelOnSlots,

    /// <summary>The owner's disposal answers without disposing anything.</summary>
    SkipOwnerDispose,
}
