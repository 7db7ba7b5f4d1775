using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Akka.Actor;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// What every session entity of one spec did, on whichever node it ran, in one total order. All the nodes of a
/// spec live in the test process, so one counter orders events across nodes exactly: an event with a smaller
/// <see cref="Event.Seq"/> happened first. Each event is also sent to <see cref="Probe"/> so specs can wait for it.
/// </summary>
public sealed class Journal
{
    private readonly ConcurrentQueue<Event> _events = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _seq;
    private int _incarnations;

    public Journal(IActorRef probe) => Probe = probe;

    public IActorRef Probe { get; }

    public IReadOnlyList<Event> Events => _events.OrderBy(e => e.Seq).ToList();

    public int NextIncarnation() => Interlocked.Increment(ref _incarnations);

    public void Record(Event e)
    {
        // The sequence number is taken at the moment of the event, on the thread that saw it.
        var stamped = e with { Seq = Interlocked.Increment(ref _seq), At = _clock.Elapsed };
        _events.Enqueue(stamped);
        Probe.Tell(stamped, ActorRefs.NoSender);
    }

    /// <summary>Time since the spec started, for the test output.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<T> Of<T>(int incarnation)
        where T : Event => Events.OfType<T>().Where(e => e.Incarnation == incarnation).ToList();
}

/// <summary>One thing a session entity incarnation did.</summary>
public abstract record Event(int Incarnation)
{
    public long Seq { get; init; }

    /// <summary>When, from the start of the spec: for the test output only, never for ordering.</summary>
    public TimeSpan At { get; init; }
}

/// <summary>An incarnation was constructed (on <paramref name="Node"/>).</summary>
public sealed record Started(int Incarnation, string PlayerId, string Node) : Event(Incarnation);

/// <summary>An incarnation's owner handed out <paramref name="Token"/> from <paramref name="Slot"/>.</summary>
public sealed record Issued(int Incarnation, string Slot, CancellationToken Token, TokenOwner Owner) : Event(Incarnation)
{
    public bool LiveWhenIssued { get; } = !Token.IsCancellationRequested;
}

/// <summary>A token's cancellation callback ran; the owner said why the token ended.</summary>
public sealed record TokenEnded(int Incarnation, string Slot, CancellationToken Token, TokenEndCause Cause) : Event(Incarnation);

/// <summary>An incarnation is about to reply to a turn.</summary>
public sealed record Replied(int Incarnation, int Turn) : Event(Incarnation);

/// <summary>An incarnation's idle token fired and it asked its shard to passivate it.</summary>
public sealed record Passivating(int Incarnation) : Event(Incarnation);

/// <summary>An incarnation's <c>PostStop</c> ran.</summary>
public sealed record Stopped(int Incarnation) : Event(Incarnation);

/// <summary>
/// A held turn's work ended; <paramref name="Piped"/> says whether its outcome was sent to the entity
/// (<c>PipeToIfCurrent</c> drops it once the token is no longer current).
/// </summary>
public sealed record WorkEnded(int Incarnation, int Turn, bool Piped) : Event(Incarnation);
