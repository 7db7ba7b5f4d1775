using System;
using System.Threading;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// Holds an owner's processing path, whatever the placement: the source factory runs on that path, and
/// once armed, its next call blocks until <see cref="Release"/> (bounded by <see cref="Bounded.Limit"/>).
/// Its events are left to the collector: after a failure, a held thread may still be inside them.
/// </summary>
public sealed class PathHold
{
    private readonly ManualResetEventSlim _entered = new();
    private readonly ManualResetEventSlim _released = new();
    private int _armed;

    /// <summary><paramref name="create"/>, made to block once armed.</summary>
    public Func<CancellationTokenSource> Wrap(Func<CancellationTokenSource> create) => () =>
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _entered.Set();
            _released.Wait(Bounded.Limit);
        }

        return create();
    };

    /// <summary>Makes the factory's next call block.</summary>
    public void Arm() => Volatile.Write(ref _armed, 1);

    /// <summary>Waits, bounded, until the processing path is held in the factory.</summary>
    public void AssertHeld() => Assert.True(_entered.Wait(Bounded.Limit), "The processing path never reached the factory.");

    /// <summary>Lets the held processing path go on.</summary>
    public void Release() => _released.Set();
}
