using System;
using System.Collections.Generic;
using Akka.Actor;
using GameServer.Akka.Reporting;
using GameServer.Reporting;
using GameServer.Server;

namespace GameServer.Akka.Sessions;

/// <summary>
/// The parent of every <see cref="SessionActor"/>: creates one per connection, watches it, tells its
/// connection when it has stopped, and injects crashes into random sessions at
/// <see cref="AkkaModeOptions.CrashRate"/> per second.
/// </summary>
/// <remarks>
/// Its strategy is OneForOne: an <see cref="InjectedCrashException"/> restarts only the session that threw
/// (at most <see cref="MaxRestarts"/> times within <see cref="RestartWindow"/>, after which Akka stops it);
/// any other exception is a bug, so the session is stopped and the failure counted as a session fault.
/// So that every injected crash is a restart, never a stop, the injector crashes one session at most
/// <see cref="MaxInjectedPerWindow"/> times per <see cref="RestartWindow"/>: with few sessions (early in a
/// run, or a small one) it injects fewer crashes than the rate asks for rather than exhaust a session.
/// Failures are not logged by Akka: a demo injects hundreds; the report counts them instead.
/// </remarks>
internal sealed class SessionSupervisor : ReceiveActor, IWithTimers
{
    /// <summary>The most restarts of one session within <see cref="RestartWindow"/>.</summary>
    public const int MaxRestarts = 10;

    /// <summary>The most crashes injected into one session within <see cref="RestartWindow"/>: half its restarts.</summary>
    public const int MaxInjectedPerWindow = MaxRestarts / 2;

    /// <summary>The window of <see cref="MaxRestarts"/>.</summary>
    public static readonly TimeSpan RestartWindow = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan s_crashTick = TimeSpan.FromMilliseconds(50);
    private readonly GameServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly AkkaMetrics _akka;
    private readonly double _crashesPerTick;
    private readonly Dictionary<IActorRef, SessionConnection> _connections = new();
    private readonly List<IActorRef> _children = new();
    private readonly Dictionary<IActorRef, int> _index = new();
    private readonly Dictionary<IActorRef, (long WindowStart, int Count)> _injected = new();
    private double _crashBudget;

    /// <summary>Creates the supervisor.</summary>
    /// <param name="options">The server settings.</param>
    /// <param name="metrics">The server's counters.</param>
    /// <param name="akka">The Akka mode's counters.</param>
    /// <param name="crashRate">Crashes to inject per second; 0 for none.</param>
    public SessionSupervisor(GameServerOptions options, ServerMetrics metrics, AkkaMetrics akka, double crashRate)
    {
        _options = options;
        _metrics = metrics;
        _akka = akka;
        _crashesPerTick = crashRate * s_crashTick.TotalSeconds;
        Receive<StartSession>(OnStartSession);
        Receive<Terminated>(OnTerminated);
        Receive<CrashTick>(_ => Inject(_crashesPerTick));
        Receive<InjectCrashes>(inject => Inject(inject.Count));
    }

    /// <summary>Gets or sets the actor's timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Creates the props of the supervisor.</summary>
    /// <param name="options">The server settings.</param>
    /// <param name="metrics">The server's counters.</param>
    /// <param name="akka">The Akka mode's counters.</param>
    /// <param name="crashRate">Crashes to inject per second; 0 for none.</param>
    /// <returns>The props.</returns>
    public static Props Props(GameServerOptions options, ServerMetrics metrics, AkkaMetrics akka, double crashRate)
        => global::Akka.Actor.Props.Create(() => new SessionSupervisor(options, metrics, akka, crashRate));

    /// <inheritdoc/>
    protected override SupervisorStrategy SupervisorStrategy()
        => new OneForOneStrategy(MaxRestarts, (int)RestartWindow.TotalMilliseconds, Decide, loggingEnabled: false);

    /// <inheritdoc/>
    protected override void PreStart()
    {
        if (_crashesPerTick > 0)
        {
            Timers.StartPeriodicTimer("crash", CrashTick.Instance, s_crashTick);
        }
    }

    private Directive Decide(Exception exception)
    {
        if (exception is InjectedCrashException)
        {
            _akka.OnRestartDirective();
            return Directive.Restart;
        }

        _metrics.OnSessionFault(exception);
        return Directive.Stop;
    }

    private void OnStartSession(StartSession start)
    {
        var child = Context.ActorOf(SessionActor.Props(start.Connection, _options, _metrics, _akka), "session-" + start.Connection.Id);
        Context.Watch(child);
        _connections.Add(child, start.Connection);
        _index.Add(child, _children.Count);
        _children.Add(child);
    }

    private void OnTerminated(Terminated terminated)
    {
        if (!_connections.Remove(terminated.ActorRef, out var connection))
        {
            return;
        }

        // Swap-remove keeps picking a random session O(1).
        var at = _index[terminated.ActorRef];
        var last = _children[^1];
        _children[at] = last;
        _index[last] = at;
        _children.RemoveAt(_children.Count - 1);
        _index.Remove(terminated.ActorRef);
        _injected.Remove(terminated.ActorRef);
        connection.OnActorStopped();
    }

    private void Inject(double count)
    {
        _crashBudget += count;
        if (_children.Count == 0)
        {
            // Nobody to crash: do not save crashes up for a burst later.
            _crashBudget = Math.Min(_crashBudget, 1);
            return;
        }

        while (_crashBudget >= 1)
        {
            _crashBudget -= 1;
            if (PickCrashable() is { } child)
            {
                child.Tell(InjectCrash.Instance);
            }
        }
    }

    /// <summary>
    /// A random session that may take one more crash within its window, or null when the few tries found
    /// none (every session picked has had <see cref="MaxInjectedPerWindow"/> crashes in its window).
    /// </summary>
    private IActorRef? PickCrashable()
    {
        var now = Environment.TickCount64;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var child = _children[Random.Shared.Next(_children.Count)];
            var (windowStart, count) = _injected.TryGetValue(child, out var seen) ? seen : (now, 0);
            if (now - windowStart >= (long)RestartWindow.TotalMilliseconds)
            {
                (windowStart, count) = (now, 0);
            }

            if (count < MaxInjectedPerWindow)
            {
                _injected[child] = (windowStart, count + 1);
                return child;
            }
        }

        return null;
    }

    /// <summary>Creates the session actor of a new connection.</summary>
    /// <param name="Connection">The connection.</param>
    public sealed record StartSession(SessionConnection Connection);

    /// <summary>Injects <paramref name="Count"/> crashes into random sessions now (tests use it).</summary>
    /// <param name="Count">How many.</param>
    public sealed record InjectCrashes(int Count);

    private sealed class CrashTick
    {
        public static readonly CrashTick Instance = new();
    }
}
