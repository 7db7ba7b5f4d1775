
namespace Lifetime;

// The slots that hold a source, linked through the slots themselves, so that cancel-all and disposal
// visit only those. Processing path only.
public sealed partial class TokenOwner
{
    private TokenSlot? _activeSlots;

    private void Activate(TokenSlot slot)
    {
        if (slot.IsActive)
        {
            return;
        }

        slot.IsActive = true;
        slot.ActivePrevious = null;
        slot.ActiveNext = _activeSlots;
        if (_activeSlots is not null)
        {
            _activeSlots.ActivePrevious = slot;
        }

        _activeSlots = slot;
    }

    private void Deactivate(TokenSlot slot)
    {
        if (!slot.IsActive)
        {
            return;
        }

        slot.IsActive = false;
        if (slot.ActivePrevious is null)
        {
            _activeSlots = slot.ActiveNext;
        }
        else
        {
            slot.ActivePrevious.ActiveNext = slot.ActiveNext;
        }

        if (slot.ActiveNext is not null)
        {
            slot.ActiveNext.ActivePrevious = slot.ActivePrevious;
        }

        slot.ActiveNext = null;
        slot.ActivePrevious = null;
    }
}
