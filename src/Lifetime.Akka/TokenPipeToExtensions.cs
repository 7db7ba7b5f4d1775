using System;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka;

/// <summary>
/// The PipeTo pattern for work started under an owned token: the outcome is sent to the recipient only while
/// that token is still its slot's live token, so the result of work started by an earlier incarnation, or
/// under a token that has since been renewed or cancelled, is dropped instead of being applied to the
/// current state. After the actor stops, its owner is disposed and every token cancelled, so late results
/// are dropped rather than sent to dead letters.
/// </summary>
/// <remarks>
/// The check runs when the task completes. A token can still be renewed between the check and the moment the
/// recipient processes the message; when that matters, put the token into your message (the
/// <c>success</c> projection sees it in its closure) and check <see cref="TokenOwner.IsCurrent"/> again in
/// the handler, which is exact because the actor renews its own tokens.
/// </remarks>
public static class TokenPipeToExtensions
{
    /// <summary>
    /// Sends the outcome of <paramref name="task"/> to <paramref name="recipient"/> if, when it completes,
    /// <paramref name="token"/> is still <paramref name="owner"/>'s live token (of its default slot).
    /// </summary>
    /// <typeparam name="T">The task's result type.</typeparam>
    /// <param name="task">The work, started under <paramref name="token"/>.</param>
    /// <param name="owner">The owner that issued <paramref name="token"/> from its default slot.</param>
    /// <param name="token">The token the work was started under.</param>
    /// <param name="recipient">Where the outcome goes, usually <c>Self</c>.</param>
    /// <param name="sender">The sender of the message; <see langword="null"/> for <see cref="ActorRefs.NoSender"/>.</param>
    /// <param name="success">Maps the result to the message to send; <see langword="null"/> sends the result itself.</param>
    /// <param name="failure">
    /// Maps a fault or cancellation to the message to send; <see langword="null"/> sends a
    /// <see cref="Status.Failure"/>. A cancellation caused by the token itself is never sent: by then the token is
    /// no longer current.
    /// </param>
    /// <returns>
    /// A task that never faults and completes with <see langword="true"/> when a message was sent,
    /// <see langword="false"/> when the outcome was dropped as stale.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/>, <paramref name="owner"/> or <paramref name="recipient"/> is <see langword="null"/>.</exception>
    public static Task<bool> PipeToIfCurrent<T>(this Task<T> task, TokenOwner owner, CancellationToken token, ICanTell recipient, IActorRef? sender = null, Func<T, object>? success = null, Func<Exception, object>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return PipeCore(task, owner.IsCurrent, token, recipient, sender, success, failure);
    }

    /// <summary>
    /// Sends the outcome of <paramref name="task"/> to <paramref name="recipient"/> if, when it completes,
    /// <paramref name="token"/> is still <paramref name="slot"/>'s live token.
    /// </summary>
    /// <typeparam name="T">The task's result type.</typeparam>
    /// <param name="task">The work, started under <paramref name="token"/>.</param>
    /// <param name="slot">The slot that issued <paramref name="token"/>.</param>
    /// <param name="token">The token the work was started under.</param>
    /// <param name="recipient">Where the outcome goes, usually <c>Self</c>.</param>
    /// <param name="sender">The sender of the message; <see langword="null"/> for <see cref="ActorRefs.NoSender"/>.</param>
    /// <param name="success">Maps the result to the message to send; <see langword="null"/> sends the result itself.</param>
    /// <param name="failure">Maps a fault or cancellation to the message to send; <see langword="null"/> sends a <see cref="Status.Failure"/>.</param>
    /// <returns>As for the <see cref="TokenOwner"/> overload.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/>, <paramref name="slot"/> or <paramref name="recipient"/> is <see langword="null"/>.</exception>
    public static Task<bool> PipeToIfCurrent<T>(this Task<T> task, TokenSlot slot, CancellationToken token, ICanTell recipient, IActorRef? sender = null, Func<T, object>? success = null, Func<Exception, object>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(slot);
        return PipeCore(task, slot.IsCurrent, token, recipient, sender, success, failure);
    }

    private static Task<bool> PipeCore<T>(Task<T> task, Func<CancellationToken, bool> isCurrent, CancellationToken token, ICanTell recipient, IActorRef? sender, Func<T, object>? success, Func<Exception, object>? failure)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(recipient);
        return PipeAsync(task, isCurrent, token, recipient, sender, success, failure);
    }

    private static async Task<bool> PipeAsync<T>(Task<T> task, Func<CancellationToken, bool> isCurrent, CancellationToken token, ICanTell recipient, IActorRef? sender, Func<T, object>? success, Func<Exception, object>? failure)
    {
        object message;
        try
        {
            var result = await task.ConfigureAwait(false);
            if (!isCurrent(token))
            {
                return false;
            }

            message = success is null ? result! : success(result);
        }
        catch (Exception e)
        {
            if (!isCurrent(token))
            {
                return false;
            }

            message = failure is null ? new Status.Failure(e) : failure(e);
        }

        recipient.Tell(message, sender);
        return true;
    }
}
