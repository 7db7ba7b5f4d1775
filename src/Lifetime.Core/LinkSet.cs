using System;
using System.Diagnostics;
using System.Threading;

namespace Lifetime;

/// <summary>
/// The links of a slot's live token: registrations on the external tokens that post this object into
/// the owner's mailbox when one of them is cancelled. No linked source is created, so an exception of an
/// owned token's callback never reaches the external canceller's <c>Cancel()</c>. One per slot, made the
/// first time the slot is renewed with links and reused for every later token of the slot, so that a
/// linked renew allocates nothing here; a renew that follows the same links as the token it replaces keeps
/// their registrations (<see cref="TokenSlot.SetLinks"/>).
/// </summary>
/// <remarks>
/// <para>
/// A message carries no token identity: the processing path ends the live token only if one of the live
/// token's own links is cancelled (<see cref="AnyCancelled"/>). A message posted by a registration of an
/// earlier token, whose callback was already running when that token ended, is therefore ignored, unless
/// the live token follows a link that is cancelled too, in which case ending it is right anyway.
/// </para>
/// <para>
/// The registrations hold this object, and so the slot and its owner, strongly, like the registration of
/// a linked source: while a link can still end the token, the owner that must end it stays reachable,
/// whether or not anyone else references it. <see cref="RemoveAll"/> removes them when the token ends,
/// which releases the owner again, without waiting for a callback that is running at that moment (it only
/// posts a message).
/// </para>
/// <para>Processing path only, except the registrations' callback, which only posts.</para>
/// </remarks>
internal sealed class LinkSet : IOwnerMessage
{
    private static readonly Action<object?> s_onCancelled = static state =>
    {
        var links = (LinkSet)state!;
        links._slot.Owner.PostInternal(links);
    };

    private readonly TokenSlot _slot;

    // The first link inline; any further ones in arrays kept for reuse.
    private CancellationToken _first;
    private CancellationTokenRegistration _firstRegistration;
    private CancellationToken[]? _more;
    private CancellationTokenRegistration[]? _moreRegistrations;
    private int _count;

    public LinkSet(TokenSlot slot) => _slot = slot;

    /// <summary>Test hook: the registration on the first link.</summary>
    internal CancellationTokenRegistration FirstRegistrationForTests => _firstRegistration;

    /// <summary>Whether the live token has links.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>Registers <paramref name="link"/> for the live token. Processing path only.</summary>
    public void Add(CancellationToken link)
    {
        Debug.Assert(link.CanBeCanceled, "A token that cannot be cancelled is no link.");

        // Stored before registering: if the link is cancelled meanwhile, the callback posts at once, and
        // the message is processed after this one, which must find the link.
        if (_count == 0)
        {
            _first = link;
            _count = 1;
            _firstRegistration = TokenRegistration.Register(link, s_onCancelled, this);
            return;
        }

        var index = _count - 1;
        if (_more is null || index == _more.Length)
        {
            Array.Resize(ref _more, Math.Max(2, index * 2));
            Array.Resize(ref _moreRegistrations, _more.Length);
        }

        _more[index] = link;
        _count++;
        _moreRegistrations![index] = TokenRegistration.Register(link, s_onCancelled, this);
    }

    /// <summary>
    /// Whether the registered links are exactly the ones of <paramref name="links"/> that can be cancelled,
    /// in the same order (tokens of the same source are equal). Processing path only.
    /// </summary>
    public bool Follows(in RequestedLinks links)
    {
        var matched = 0;
        for (var i = 0; i < links.Count; i++)
        {
            var link = links[i];
            if (!link.CanBeCanceled)
            {
                continue;
            }

            if (matched == _count || link != (matched == 0 ? _first : _more![matched - 1]))
            {
                return false;
            }

            matched++;
        }

        return matched == _count;
    }

    /// <summary>Whether one of the live token's links is cancelled. Processing path only.</summary>
    public bool AnyCancelled()
    {
        if (_count == 0)
        {
            return false;
        }

        if (_first.IsCancellationRequested)
        {
            return true;
        }

        for (var i = 0; i < _count - 1; i++)
        {
            if (_more![i].IsCancellationRequested)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes every registration (never blocks on .NET) and forgets the links. Processing path only.</summary>
    public void RemoveAll()
    {
        if (_count == 0)
        {
            return;
        }

        TokenRegistration.Remove(_firstRegistration);
        _firstRegistration = default;
        _first = default;
        for (var i = 0; i < _count - 1; i++)
        {
            TokenRegistration.Remove(_moreRegistrations![i]);
            _moreRegistrations[i] = default;
            _more![i] = default;
        }

        _count = 0;
    }

    void IOwnerMessage.Process(TokenOwner owner) => owner.OnLinkCancelled(_slot);
}
