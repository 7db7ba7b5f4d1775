using System.Diagnostics;

namespace Lifetime;

// The slots that got a source, so that cancel-all and disposal visit only those: a singly linked list
// through the slots themselves (one field each), in the order they got their sources, ended by
// TokenSlot.EndOfList. A slot whose token ends stays listed (unlinking it at once would need a second
// link field per slot) until one of two cleanups unlinks it:
// - a scan that goes round the list, two steps each time a token ends with no successor. Tokens mostly
//   end in the order they were handed out (deadlines, sessions closed oldest first), which is the list's
//   order, so the scan finds them near its front, and no end ever pays for more than two steps;
// - on a short list, a walk of the whole list once ended slots outnumber live ones (and at least 32 have
//   ended), so that a live owner with few live slots holds few ended ones whatever the order they ended
//   in. A long list is never walked whole: a million slots are a tenth of a second of cache misses,
//   during which the owner's deadlines would wait.
// Processing path only.
public sealed partial class TokenOwner
{
    // Walk no list with fewer ended slots than this: ending a few dozen at the next cancel-all costs less.
    private const int CompactAtEnded = 32;

    // Walk no list longer than this (a few microseconds when it is in cache); the scan cleans longer ones.
    private const int CompactUpTo = 4096;

    // Scan steps per token ended with no successor: a round of the scan then takes half as many ends as
    // the list is long, which keeps the ended slots in a long list at most about as many as the live ones.
    private const int ScanStepsPerEnd = 2;

    private TokenSlot _activeSlots = TokenSlot.EndOfList;

    // The last listed slot; null when the list is empty.
    private TokenSlot? _lastActive;

    // The listed slot after which the scan looks next; null: at the head of the list.
    private TokenSlot? _scanAfter;

    private int _listedSlots;
    private int _listedEnded;

    /// <summary>The slot got a source while it had none.</summary>
    private void Activate(TokenSlot slot)
    {
        if (slot.ActiveNext is not null)
        {
            // Ended earlier and not unlinked yet.
            _listedEnded--;
            return;
        }

        slot.ActiveNext = TokenSlot.EndOfList;
        if (_lastActive is null)
        {
            _activeSlots = slot;
        }
        else
        {
            _lastActive.ActiveNext = slot;
        }

        _lastActive = slot;
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
        if (_listedEnded >= CompactAtEnded && 2 * _listedEnded > _listedSlots && _listedSlots <= CompactUpTo)
        {
            Compact();
            return;
        }

        for (var i = 0; i < ScanStepsPerEnd; i++)
        {
            ScanStep();
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
        _lastActive = null;
        _scanAfter = null;
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

    /// <summary>
    /// Looks at the slot after <see cref="_scanAfter"/>: unlinks it if its token ended, else moves past it;
    /// back to the head after the last. The next slot is found from <see cref="_scanAfter"/> every time, so
    /// a slot listed meanwhile after <see cref="_scanAfter"/> is scanned too.
    /// </summary>
    private void ScanStep()
    {
        var slot = _scanAfter is null ? _activeSlots : _scanAfter.ActiveNext!;
        if (slot == TokenSlot.EndOfList)
        {
            _scanAfter = null;
        }
        else if (slot.Source is not null)
        {
            _scanAfter = slot;
        }
        else
        {
            Unlink(_scanAfter, slot);
            _listedEnded--;
        }
    }

    /// <summary>Unlinks every ended slot, walking the whole list.</summary>
    private void Compact()
    {
        TokenSlot? previous = null;
        var slot = _activeSlots;
        while (slot != TokenSlot.EndOfList)
        {
            var next = slot.ActiveNext!;
            if (slot.Source is null)
            {
                Unlink(previous, slot);
            }
            else
            {
                previous = slot;
            }

            slot = next;
        }

        _listedEnded = 0;
        _scanAfter = null;
    }

    /// <summary>Unlinks <paramref name="slot"/>, listed after <paramref name="previous"/> (null: at the head).</summary>
    private void Unlink(TokenSlot? previous, TokenSlot slot)
    {
        var next = slot.ActiveNext!;
        if (previous is null)
        {
            _activeSlots = next;
        }
        else
        {
            previous.ActiveNext = next;
        }

        if (slot == _lastActive)
        {
            _lastActive = previous;
        }

        slot.ActiveNext = null;
        _listedSlots--;
    }
}
