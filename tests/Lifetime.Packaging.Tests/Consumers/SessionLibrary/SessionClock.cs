using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime;

namespace SessionLibrary;

/// <summary>Creates owners with a <see cref="TimeProvider"/> and checks that their tokens end.</summary>
public static class SessionClock
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An owner on <see cref="TimeProvider.System"/>. TimeProvider is not in this method's signature, so
    /// a caller compiles without its assembly; running this method loads it (FileNotFoundException when
    /// the package does not bring it to the caller's target).
    /// </summary>
    public static TokenOwner CreateSystemOwner() => CreateOwner(TimeProvider.System);

    /// <summary>
    /// An owner on <paramref name="time"/>. TimeProvider is in this method's signature, so a caller needs
    /// its assembly to compile (CS0012 when the package does not bring it to the caller's target).
    /// </summary>
    public static TokenOwner CreateOwner(TimeProvider time) => new(new TokenOwnerOptions { TimeProvider = time });

    /// <summary>
    /// Renews with a timeout and waits, bounded, for the token to fire; then renews and ends that token with
    /// CancelAndDispose; then disposes the owner. Returns what went wrong, or null when nothing did.
    /// </summary>
    public static async Task<string?> CheckAsync(TokenOwner owner)
    {
        var timed = await owner.RenewAfterAsync(s_timeout).ConfigureAwait(false);
        if (!await CancelledWithinAsync(timed, s_limit).ConfigureAwait(false))
        {
            return $"the token renewed with a {s_timeout.TotalMilliseconds} ms timeout was not cancelled within {s_limit.TotalSeconds} s";
        }

        var current = await owner.RenewAsync().ConfigureAwait(false);
        await owner.CancelAndDisposeAsync().ConfigureAwait(false);
        if (!current.IsCancellationRequested)
        {
            return "CancelAndDisposeAsync did not cancel the current token";
        }

        await owner.DisposeAsync().ConfigureAwait(false);
        return await Task.WhenAny(owner.Completion, Task.Delay(s_limit)).ConfigureAwait(false) == owner.Completion
            ? null
            : "the owner did not complete after DisposeAsync";
    }

    private static async Task<bool> CancelledWithinAsync(CancellationToken token, TimeSpan limit)
    {
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (token.Register(() => cancelled.TrySetResult(true)))
        {
            return await Task.WhenAny(cancelled.Task, Task.Delay(limit)).ConfigureAwait(false) == cancelled.Task;
        }
    }
}
