using System;
using System.Threading;
using Akka;
using Akka.Actor;

namespace Lifetime.Akka;

// The protocol of TokenOwnerActor. Every message validates its input when it is created, so a bad request
// throws at the sender's call site and nothing is sent. Tokens are in-process values, so no message is
// meant to be serialized.
public sealed partial class TokenOwnerActor
{
    /// <summary>
    /// Asks for a new token of a slot (<see cref="TokenOwner.RenewAsync"/>): the slot's previous token is
    /// cancelled before the reply, a <see cref="CancellationToken"/>. A request that reaches the actor after it
    /// stopped goes to dead letters (an <c>Ask</c> times out); a renew in flight when an incarnation ends
    /// is replied with an already-cancelled token (an end of life).
    /// </summary>
    public sealed class Renew : INoSerializationVerificationNeeded
    {
        /// <summary>Creates the request.</summary>
        /// <param name="slot">The slot's key; <see langword="null"/> (the default) for the owner's default slot.</param>
        public Renew(string? slot = null) => Slot = slot;

        /// <summary>Gets the slot's key; <see langword="null"/> is the owner's default slot.</summary>
        public string? Slot { get; }
    }

    /// <summary>
    /// Asks for a new token of a slot that the owner cancels after a timeout
    /// (<see cref="TokenOwner.RenewAfterAsync"/>); replied with the <see cref="CancellationToken"/>.
    /// </summary>
    public sealed class RenewAfter : INoSerializationVerificationNeeded
    {
        // The largest timeout the owner accepts (that of CancelAfter and System.Threading.Timer).
        private const double MaxTimeoutMilliseconds = uint.MaxValue - 1.0;

        /// <summary>Creates the request.</summary>
        /// <param name="timeout">
        /// How long the token lives: <see cref="TimeSpan.Zero"/> gives a token born cancelled,
        /// <see cref="Timeout.InfiniteTimeSpan"/> a token with no deadline.
        /// </param>
        /// <param name="slot">The slot's key; <see langword="null"/> (the default) for the owner's default slot.</param>
        /// <exception cref="ArgumentOutOfRangeException">
        /// <paramref name="timeout"/> is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>) or longer than
        /// 4294967294 ms.
        /// </exception>
        public RenewAfter(TimeSpan timeout, string? slot = null)
        {
            if ((timeout < TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan) || timeout.TotalMilliseconds > MaxTimeoutMilliseconds)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be non-negative or Timeout.InfiniteTimeSpan, and at most 4294967294 ms.");
            }

            Timeout = timeout;
            Slot = slot;
        }

        /// <summary>Gets how long the new token lives.</summary>
        public TimeSpan Timeout { get; }

        /// <summary>Gets the slot's key; <see langword="null"/> is the owner's default slot.</summary>
        public string? Slot { get; }
    }

    /// <summary>
    /// Asks for a new token of a slot that the owner cancels when any of the links is cancelled
    /// (<see cref="TokenOwner.RenewLinkedAsync"/>); replied with the <see cref="CancellationToken"/>.
    /// </summary>
    public sealed class RenewLinked : INoSerializationVerificationNeeded
    {
        private readonly CancellationToken[] _links;

        /// <summary>Creates the request.</summary>
        /// <param name="links">
        /// The tokens to follow; copied, so changing the array later has no effect. An empty array asks for a
        /// plain renew, as <see cref="TokenOwner.RenewLinkedAsync"/> does.
        /// </param>
        /// <param name="slot">The slot's key; <see langword="null"/> for the owner's default slot.</param>
        /// <exception cref="ArgumentNullException"><paramref name="links"/> is <see langword="null"/>.</exception>
        public RenewLinked(CancellationToken[] links, string? slot = null)
        {
            ArgumentNullException.ThrowIfNull(links);
            _links = (CancellationToken[])links.Clone();
            Slot = slot;
        }

        /// <summary>Gets a copy of the tokens the new token follows.</summary>
        public CancellationToken[] Links => (CancellationToken[])_links.Clone();

        /// <summary>Gets the slot's key; <see langword="null"/> is the owner's default slot.</summary>
        public string? Slot { get; }
    }

    /// <summary>
    /// Asks the owner to end a slot's current token, if any (<see cref="TokenOwner.CancelAndDisposeAsync"/>);
    /// replied with <see cref="Done.Instance"/>, also after the owner is disposed (a no-op then).
    /// </summary>
    public sealed class CancelAndDispose : INoSerializationVerificationNeeded
    {
        /// <summary>Creates the request.</summary>
        /// <param name="slot">The slot's key; <see langword="null"/> (the default) for the owner's default slot.</param>
        public CancelAndDispose(string? slot = null) => Slot = slot;

        /// <summary>Gets the slot's key; <see langword="null"/> is the owner's default slot.</summary>
        public string? Slot { get; }
    }

    /// <summary>
    /// Asks the owner to end every slot's current token (<see cref="TokenOwner.CancelAllAsync"/>); the owner and
    /// its slots stay usable. Replied with <see cref="Done.Instance"/>.
    /// </summary>
    public sealed class CancelAll : INoSerializationVerificationNeeded
    {
        private CancelAll()
        {
        }

        /// <summary>Gets the only instance.</summary>
        public static CancelAll Instance { get; } = new();
    }
}
