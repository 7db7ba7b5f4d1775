using System;
using System.Threading;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// The test's source factory (<see cref="TokenOwnerOptions.SourceFactory"/>): counts every source an
/// owner creates, and every source the test hands to <c>RenewOwnedAsync</c>, every first disposal,
/// every further disposal, and every source finalized without having been disposed.
/// </summary>
public sealed class LeakLedger
{
    private static int s_finalizedUndisposed;
    private readonly bool _plantedLeaks;
    private int _created;
    private int _disposed;
    private int _disposedAgain;
    private int _finalizedUndisposed;

    /// <param name="plantedLeaks">
    /// True for a checker's self-test that leaks on purpose: its finalized sources are then left out of the
    /// suite-wide count that every test checks.
    /// </param>
    public LeakLedger(bool plantedLeaks = false) => _plantedLeaks = plantedLeaks;

    /// <summary>Sources of every unplanted ledger finalized without having been disposed, suite-wide.</summary>
    public static int FinalizedUndisposedTotal => Volatile.Read(ref s_finalizedUndisposed);

    public int Created => Volatile.Read(ref _created);

    public int Disposed => Volatile.Read(ref _disposed);

    public int DisposedAgain => Volatile.Read(ref _disposedAgain);

    public int FinalizedUndisposed => Volatile.Read(ref _finalizedUndisposed);

    public int Live => Created - Disposed;

    /// <summary>The factory to give an owner.</summary>
    public CancellationTokenSource Create() => CreateForCaller();

    /// <summary>A source the test creates itself, counted like the owner's.</summary>
    public TrackedSource CreateForCaller()
    {
        Interlocked.Increment(ref _created);
        return new TrackedSource(this);
    }

    public TokenOwnerOptions Options(TimeProvider? time = null) => new() { SourceFactory = Create, TimeProvider = time };

    /// <summary>Null when every source was disposed exactly once, else what is wrong.</summary>
    public string? Problem()
    {
        if (Created != Disposed)
        {
            return $"{Created} sources created, {Disposed} disposed";
        }

        if (DisposedAgain != 0)
        {
            return $"{DisposedAgain} extra disposals of already disposed sources";
        }

        return FinalizedUndisposed != 0 ? $"{FinalizedUndisposed} sources finalized undisposed" : null;
    }

    public void AssertBalanced()
    {
        if (Problem() is { } problem)
        {
            Assert.Fail("Leak ledger: " + problem);
        }
    }

    /// <summary>A counted source; its finalizer flags a source nobody disposed.</summary>
    public sealed class TrackedSource : CancellationTokenSource
    {
        private readonly LeakLedger _ledger;
        private int _disposeCalls;

        public TrackedSource(LeakLedger ledger) => _ledger = ledger;

        ~TrackedSource()
        {
            if (Volatile.Read(ref _disposeCalls) == 0)
            {
                Interlocked.Increment(ref _ledger._finalizedUndisposed);
                if (!_ledger._plantedLeaks)
                {
                    Interlocked.Increment(ref s_finalizedUndisposed);
                }
            }
        }

        public int DisposeCalls => Volatile.Read(ref _disposeCalls);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                if (Interlocked.Increment(ref _disposeCalls) == 1)
                {
                    Interlocked.Increment(ref _ledger._disposed);
                }
                else
                {
                    Interlocked.Increment(ref _ledger._disposedAgain);
                }
            }

            base.Dispose(disposing);
        }
    }
}
