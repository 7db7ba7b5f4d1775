using System;
using System.Collections.Concurrent;
using System.Threading;

namespace Lifetime.Testing;

/// <summary>
/// Counts the sources an owner creates through <see cref="TokenOwnerOptions.SourceFactory"/> and every
/// disposal, and flags a source disposed twice.
/// </summary>
/// <remarks>
/// The one copy shared by the test projects: each links this file
/// (<c>&lt;Compile Include="../Shared/SourceCounter.cs" Link=... /&gt;</c>) and imports
/// <c>Lifetime.Testing</c> globally. A linked file rather than a library project because it is one type
/// that uses xunit's <c>Assert</c>: a project would need its own xunit reference and a place in the
/// solution for no gain.
/// </remarks>
public sealed class SourceCounter
{
    private readonly ConcurrentDictionary<CountingSource, int> _disposals = new();
    private int _created;
    private int _disposed;

    public int Created => Volatile.Read(ref _created);

    public int Disposed => Volatile.Read(ref _disposed);

    public int Live => Created - Disposed;

    /// <summary>Sources whose Dispose ran more than once.</summary>
    public int DisposedTwice
    {
        get
        {
            var count = 0;
            foreach (var pair in _disposals)
            {
                if (pair.Value > 1)
                {
                    count++;
                }
            }

            return count;
        }
    }

    public CancellationTokenSource Create()
    {
        Interlocked.Increment(ref _created);
        return new CountingSource(this);
    }

    /// <summary>A source the test creates itself (for RenewOwned), counted like the owner's.</summary>
    public CountingSource CreateForCaller()
    {
        Interlocked.Increment(ref _created);
        return new CountingSource(this);
    }

    /// <summary>Options whose owner counts its sources here; usable as a <c>Func&lt;TokenOwnerOptions?&gt;</c> method group.</summary>
    public TokenOwnerOptions Options() => Options(null);

    public TokenOwnerOptions Options(TimeProvider? time) => new() { SourceFactory = Create, TimeProvider = time };

    public void AssertBalanced()
    {
        Assert.Equal(Created, Disposed);
        Assert.Equal(0, DisposedTwice);
    }

    public sealed class CountingSource : CancellationTokenSource
    {
        private readonly SourceCounter _counter;

        public CountingSource(SourceCounter counter) => _counter = counter;

        public int DisposeCalls => _counter._disposals.TryGetValue(this, out var n) ? n : 0;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                if (_counter._disposals.AddOrUpdate(this, 1, static (_, n) => n + 1) == 1)
                {
                    Interlocked.Increment(ref _counter._disposed);
                }
            }

            base.Dispose(disposing);
        }
    }
}
