using System.Diagnostics;

namespace Lifetime;

// The slots that got a source, so that cancel-all and disposal visit only those: a singly linked list
// through the slots themselves (one field each), ended by TokenSlot.EndOfList. A slot whose token ends
// stays listed (unlinking it would need a second link field per slot); the list is compacted when ended
// ones outnumber live ones, so its length stays within about twice the live slots and a retired slot is
// not held for long. Processing path only.
public sealed partial class TokenOwner
{
    // Compact no list shorter than this: walking a few ended slots at the next cancel-all costs less.
    private const int CompactAtEnded = 32;

    private TokenSlot _activeSlots = TokenSlot.EndOfList;
    private int _listedSlots;
    private int _listedEnded;

    /// <summary>The slot got a source while it had none.</summary>
    private void Activate(TokenSlot slot)
    {
        if (slot.ActiveNext is not null)
        {
            _listedEnded--;
            return;
        }

        slot.ActiveNext = _activeSlots;
        _activeSlots = slot;
        _listedSlots++;
    }

    /// <summary>The slot's source was taken out with no successor.</summary>
    private void Deactivate(TokenSlot slot)
    {
        if (slot.ActiveNext is null)
        {
            // Not listed: taken off by TakeActiveSlots.
            return;
        }

        _listedEnded++;
        if (_listedEnded >= CompactAtEnded && 2 * _listedEnded > _listedSlots)
        {
            Compact();
        }
    }

    /// <summary>
    /// Takes every listed slot off the list and returns them, chained through <see cref="TokenSlot.ActiveNext"/>
    /// as before; the caller visits them with <see cref="NextTaken"/>, ending those that still hold a source.
    /// Callbacks run meanwhile may renew slots, which then start a new list.
    /// </summary>
    private TokenSlot TakeActiveSlots()
    {
        var first = _activeSlots;
        _activeSlots = TokenSlot.EndOfList;
        _listedSlots = 0;
        _listedEnded = 0;
        return first;
    }

    /// <summary>Unlists a slot taken by <see cref="TakeActiveSlots"/> and returns the next one (EndOfList at the end).</summary>
    private static TokenSlot NextTaken(TokenSlot slot)
    {
        Debug.Assert(slot != TokenSlot.EndOfList, "The end of the list is no slot.");
        var next = slot.ActiveNext!;
        slot.ActiveNext = null;
        return next;
    }

    private void Compact()
    {
        TokenSlot? previous = null;
        var slot = _activeSlots;
        while (slot != TokenSlot.EndOfList)
        {
            var next = slot.ActiveNext!;
            if (slot.Source is null)
            {
                slot.ActiveNext = null;
                if (previous is null)
                {
                    _activeSlots = next;
                }
                else
                {
                    previous.ActiveNext = next;
                }

                _listedSlots--;
            }
            else
            {
                previous = slot;
            }

            slot = next;
        }

        _listedEnded = 0;
    }
}
