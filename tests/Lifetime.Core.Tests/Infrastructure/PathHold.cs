using System;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime.Tests.Infrastructure;

/// <summary>
/// Holds the thread that ends a token: a callback registered on the token blocks whichever thread runs it
/// (the owner's processing path with <see cref="CallbackPlacement.Inline"/>, the dispatched end otherwise)
/// until the test releases it, so the test can queue requests behind it. Disposing releases it as well, so
/// a failing assertion never leaves the path blocked; the callback also gives up after <see cref="Bounded.Limit"/>.
/// </summary>
public sealed class PathHold : IDisposable
{
    private readonly ManualResetEventSlim _release = new();
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PathHold()
    {
    }

    /// <summary>Completes, bounded, once the callback runs: from then on the thread that ended the token is held.</summary>
    public Task Entered => _entered.Task.WaitAsync(Bounded.Limit);

    /// <summary>Registers the holding callback on <paramref name="token"/>; it runs when the token is cancelled.</summary>
    public static PathHold On(CancellationToken token)
    {
        var hold = new PathHold();
        token.Register(hold.Hold);
        return hold;
    }

    /// <summary>Lets the held callback return.</summary>
    public void Release() => _release.Set();

    /// <summary>Releases the callback if the test has not.</summary>
    public void Dispose() => _release.Set();

    private void Hold()
    {
        _entered.TrySetResult();
        _release.Wait(Bounded.Limit);
    }
}
