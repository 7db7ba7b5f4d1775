using System.Threading;

namespace GameServer.Reporting;

/// <summary>
/// Counts the sources that owners create and dispose. Pass <see cref="Create"/> as
/// <see cref="Lifetime.TokenOwnerOptions.SourceFactory"/>; <see cref="Live"/> must be zero once every
/// owner using it is disposed.
/// </summary>
public sealed class SourceCounter
{
    private long _created;
    private long _disposed;

    /// <summary>Gets how many sources were created.</summary>
    public long Created => Volatile.Read(ref _created);

    /// <summary>Gets how many sources were disposed.</summary>
    public long Disposed => Volatile.Read(ref _disposed);

    /// <summary>Gets how many sources are created and not yet disposed.</summary>
    public long Live => Created - Disposed;

    /// <summary>Creates a counted source (a source factory for <see cref="Lifetime.TokenOwnerOptions"/>).</summary>
    /// <returns>A new, live source.</returns>
    public CancellationTokenSource Create() => new CountingTokenSource(this);

    internal void OnCreated() => Interlocked.Increment(ref _created);

    internal void OnDisposed() => Interlocked.Increment(ref _disposed);
}
