using System;
using System.Diagnostics.CodeAnalysis;

namespace Lifetime;

/// <summary>Cold-path throws, kept out of the callers so they stay small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowObjectDisposed(bool slot) => throw CreateObjectDisposed(slot);

    public static ObjectDisposedException CreateObjectDisposed(bool slot) => slot
        ? new ObjectDisposedException(nameof(TokenSlot), "The slot has been retired, or its owner disposed.")
        : new ObjectDisposedException(nameof(TokenOwner));

    [DoesNotReturn]
    public static void ThrowTimeoutOutOfRange(string paramName, TimeSpan timeout) =>
        throw new ArgumentOutOfRangeException(paramName, timeout, "The timeout must be Timeout.InfiniteTimeSpan, or between zero and 4294967294 milliseconds (about 49.7 days).");

    [DoesNotReturn]
    public static void ThrowArgumentNull(string paramName) => throw new ArgumentNullException(paramName);

    [DoesNotReturn]
    public static void ThrowAlreadyOwned(string paramName) =>
        throw new InvalidOperationException($"The source passed as '{paramName}' is already owned by a TokenOwner; a source can be handed to an owner only once.");

    [DoesNotReturn]
    public static void ThrowWaitingOnItself(string asyncName) =>
        throw new InvalidOperationException($"A synchronous TokenOwner or TokenSlot member cannot wait for the owner from a callback of the owner's own tokens: the reply would have to wait for that callback. Use {asyncName} there instead.");

    public static InvalidOperationException CreateFactoryReturnedOwned() =>
        new("TokenOwnerOptions.SourceFactory returned a source that was already handed to a TokenOwner; it must return a new CancellationTokenSource each time.");

    public static InvalidOperationException CreateFactoryReturnedNull() =>
        new("TokenOwnerOptions.SourceFactory returned null; it must return a new CancellationTokenSource.");
}
