using System;
using System.Threading;

namespace Lifetime;

/// <summary>
/// A link of a live token to an external token: a registration on the external token that posts itself
/// into the owner's mailbox when that token is cancelled. No linked source is created, so an exception
/// of an owned token's callback never reaches the external canceller's <c>Cancel()</c>.
/// </summary>
/// <remarks>
/// Holds its slot, and so the owner, strongly, like the registration of a linked source: while the link
/// can still end the token, the owner that must end it stays reachable, whether or not anyone else
/// references it. The processing path removes the registration when the token ends, which releases the
/// owner again, without waiting for a callback that is running at that moment (it only posts a message,
/// which the path then ignores as stale).
/// </remarks>
internal sealed class LinkRegistration : IOwnerMessage
{
    private static readonly Action<object?> s_onCancelled = static state => ((LinkRegistration)state!).OnCancelled();

    private readonly TokenSlot _slot;
    private readonly int _generation;
    private readonly CancellationTokenRegistration _registration;

    /// <summary>Registers on <paramref name="link"/> for the slot's live token. Processing path only.</summary>
    public LinkRegistration(TokenSlot slot, CancellationToken link)
    {
        _slot = slot;
        _generation = slot.Generation;
        _registration = TokenRegistration.Register(link, s_onCancelled, this);
    }

    /// <summary>The next link of the same token (the slot keeps them in a chain).</summary>
    public LinkRegistration? Next { get; set; }

    /// <summary>Removes the registration. Never blocks. Processing path only.</summary>
    public void Unregister() => TokenRegistration.Remove(_registration);

    void IOwnerMessage.Process(TokenOwner owner) => owner.OnLinkCancelled(_slot, _generation);

    private void OnCancelled() => _slot.Owner.PostInternal(this);
}
