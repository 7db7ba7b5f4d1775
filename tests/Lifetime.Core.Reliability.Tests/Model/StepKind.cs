namespace Lifetime.Reliability.Tests.Model;

/// <summary>Every operation a sequence may apply to one owner, its slots, its clock and the external tokens.</summary>
public enum StepKind
{
    CreateSlot,
    Renew,
    RenewAfter,
    RenewLinked,
    RenewLinkedAfter,
    RenewOwned,
    CancelAndDispose,
    Touch,
    IsCurrent,
    CancelAll,
    RetireSlot,
    RetireSlotSync,
    DisposeOwner,
    DisposeOwnerSync,
    Advance,
    CancelExternal,
    AddThrowingCallback,

    /// <summary>The owner's outer token fires: its end of life, unless an explicit disposal came first.</summary>
    FireOuter,
}
