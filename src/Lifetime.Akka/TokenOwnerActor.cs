using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Akka;
using Akka.Actor;

namespace Lifetime.Akka;

/// <summary>
/// A <see cref="TokenOwner"/> hosted as an actor, so that several actors or plain code can share one owner
/// under supervision. Ask it with <see cref="Renew"/>, <see cref="RenewAfter"/>, <see cref="RenewLinked"/>
/// (replied with the new <see cref="CancellationToken"/>), <see cref="CancelAndDispose"/> or
/// <see cref="CancelAll"/> (replied with <see cref="Done.Instance"/>). A request that fails is replied with
/// <see cref="Status.Failure"/>, so <c>Ask</c> throws its exception.
/// </summary>
/// <remarks>
/// <para>
/// Each message names a slot: <see langword="null"/> is the owner's default slot; any other key gets its own
/// <see cref="TokenSlot"/>, created on first use, so clients that renew independently do not cancel each
/// other's tokens. Messages are processed one at a time, in order; each reply is sent after the owner has
/// finished the operation (for a renew: the slot's previous token is cancelled).
/// </para>
/// <para>
/// When the actor stops, its owner's life ends: every token is cancelled and every source disposed. When it
/// is restarted (by its supervisor, or as a surviving child of a restarted parent), the old incarnation's
/// owner ends before the new one is constructed, and the new incarnation starts with a fresh owner and
/// no slots. Tokens and messages are in-process values: the actor is meant for local use only.
/// </para>
/// </remarks>
public sealed partial class TokenOwnerActor : ReceiveActor
{
    private readonly TokenOwner _owner;

    // Not readonly: a mutable struct, called through this field only.
    private IncarnationOwner _incarnation;
    private readonly Dictionary<string, TokenSlot> _slots = new(StringComparer.Ordinal);

    /// <summary>Creates the actor; use <see cref="Props(Func{TokenOwnerOptions})"/> instead of calling this.</summary>
    /// <param name="optionsFactory">Creates the options of each incarnation's owner; <see langword="null"/> for the defaults.</param>
    public TokenOwnerActor(Func<TokenOwnerOptions?>? optionsFactory)
    {
        _owner = _incarnation.GetOrCreate(optionsFactory, static factory => factory?.Invoke());
        ReceiveAsync<Renew>(m => ReplyAsync(() => Slot(m.Slot) is { } slot ? slot.RenewAsync() : _owner.RenewAsync()));
        ReceiveAsync<RenewAfter>(m => ReplyAsync(() => Slot(m.Slot) is { } slot ? slot.RenewAfterAsync(m.Timeout) : _owner.RenewAfterAsync(m.Timeout)));
        ReceiveAsync<RenewLinked>(m => ReplyAsync(() => Slot(m.Slot) is { } slot ? slot.RenewLinkedAsync(m.Links) : _owner.RenewLinkedAsync(m.Links)));
        ReceiveAsync<CancelAndDispose>(m => ReplyAsync(() => CancelSlotAsync(m.Slot)));
        ReceiveAsync<CancelAll>(_ => ReplyAsync(_owner.CancelAllAsync));
    }

    /// <summary>Gets the props of a token owner actor.</summary>
    /// <param name="optionsFactory">
    /// Creates the options of each incarnation's owner (called in every incarnation's constructor);
    /// <see langword="null"/> (the default) for default options.
    /// </param>
    /// <returns>Props that create a <see cref="TokenOwnerActor"/>.</returns>
    public static Props Props(Func<TokenOwnerOptions?>? optionsFactory = null) => global::Akka.Actor.Props.Create(() => new TokenOwnerActor(optionsFactory));

    /// <summary>
    /// Ends the incarnation's owner (an end of life: every token cancelled, every source disposed, and a renew
    /// still in flight completes with a cancelled token). Runs on stop, and (through Akka's default
    /// <c>PreRestart</c>) on restart; the second call is a no-op.
    /// </summary>
    protected override void PostStop() => _incarnation.End();

    /// <summary>The slot named <paramref name="key"/>; <see langword="null"/> means the default slot, reached through the owner.</summary>
    private TokenSlot? Slot(string? key)
    {
        if (key is null)
        {
            return null;
        }

        if (!_slots.TryGetValue(key, out var slot))
        {
            slot = _owner.CreateSlot();
            _slots.Add(key, slot);
        }

        return slot;
    }

    private ValueTask CancelSlotAsync(string? key)
    {
        if (key is null)
        {
            return _owner.CancelAndDisposeAsync();
        }

        // A slot that was never renewed has nothing to end; creating it would fail after disposal.
        return _slots.TryGetValue(key, out var slot) ? slot.CancelAndDisposeAsync() : default;
    }

    // Synchronous throws (a retired slot, a disposed owner) are replied like asynchronous faults.
    private async Task ReplyAsync(Func<ValueTask<CancellationToken>> renew)
    {
        var sender = Sender;
        try
        {
            var token = await renew().ConfigureAwait(false);
            sender.Tell(token);
        }
        catch (Exception e)
        {
            sender.Tell(new Status.Failure(e));
        }
    }

    private async Task ReplyAsync(Func<ValueTask> operation)
    {
        var sender = Sender;
        try
        {
            await operation().ConfigureAwait(false);
            sender.Tell(Done.Instance);
        }
        catch (Exception e)
        {
            sender.Tell(new Status.Failure(e));
        }
    }
}
