using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Reflection;
using System.Threading;

namespace Lifetime.Tests.Infrastructure;

/// <summary>A source that records how often it was disposed and whether it was cancelled first.</summary>
public sealed class TrackedSource : CancellationTokenSource
{
    private int _disposeCalls;
    private int _cancelledBeforeDispose = -1;

    public TrackedSource() => Issued = Token;

    /// <summary>The token, readable after disposal.</summary>
    public CancellationToken Issued { get; }

    public int DisposeCalls => Volatile.Read(ref _disposeCalls);

    /// <summary>1 when the token was cancelled at the first disposal, 0 when not, -1 before any disposal.</summary>
    public int CancelledBeforeDispose => Volatile.Read(ref _cancelledBeforeDispose);

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Increment(ref _disposeCalls) == 1)
        {
            Volatile.Write(ref _cancelledBeforeDispose, Token.IsCancellationRequested ? 1 : 0);
        }

        base.Dispose(disposing);
    }
}

/// <summary>A <see cref="TokenOwnerOptions.SourceFactory"/> that keeps every source it made.</summary>
public sealed class TrackingFactory
{
    private readonly ConcurrentQueue<TrackedSource> _sources = new();

    public IReadOnlyCollection<TrackedSource> Sources => _sources;

    public int Created => _sources.Count;

    public int Disposed
    {
        get
        {
            var n = 0;
            foreach (var source in _sources)
            {
                if (source.DisposeCalls > 0)
                {
                    n++;
                }
            }

            return n;
        }
    }

    public CancellationTokenSource Create()
    {
        var source = new TrackedSource();
        _sources.Enqueue(source);
        return source;
    }

    public TrackedSource CreateForCaller()
    {
        var source = new TrackedSource();
        _sources.Enqueue(source);
        return source;
    }

    public TokenOwnerOptions Options(TimeProvider? time = null) => new() { SourceFactory = Create, TimeProvider = time };

    /// <summary>Every source disposed exactly once, and cancelled before it was disposed.</summary>
    public void AssertAllEndedExactlyOnce()
    {
        foreach (var source in _sources)
        {
            Assert.Equal(1, source.DisposeCalls);
            Assert.Equal(1, source.CancelledBeforeDispose);
        }
    }
}

/// <summary>Counts the callbacks registered on a <see cref="CancellationTokenSource"/> (runtime internals, read only).</summary>
public static class Registrations
{
    public static int Count(CancellationTokenSource source)
    {
        var registrationsField = typeof(CancellationTokenSource).GetField("_registrations", BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.NotNull(registrationsField);
        var registrations = registrationsField.GetValue(source);
        if (registrations is null)
        {
            return 0;
        }

        var callbacksField = registrations.GetType().GetField("Callbacks", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        Assert.NotNull(callbacksField);
        var node = callbacksField.GetValue(registrations);
        var count = 0;
        FieldInfo? nextField = null;
        while (node is not null)
        {
            count++;
            nextField ??= node.GetType().GetField("Next", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            Assert.NotNull(nextField);
            node = nextField.GetValue(node);
        }

        return count;
    }
}

/// <summary>Collects reported exceptions.</summary>
public sealed class Reporter
{
    private readonly ConcurrentQueue<Exception> _reported = new();

    public List<Exception> Reported => new(_reported);

    public int Count => _reported.Count;

    public void Report(Exception exception) => _reported.Enqueue(exception);
}

public sealed class CallbackBoom : Exception
{
    public CallbackBoom()
        : base("boom")
    {
    }

    public CallbackBoom(string message)
        : base(message)
    {
    }

    public CallbackBoom(string message, Exception inner)
        : base(message, inner)
    {
    }
}
