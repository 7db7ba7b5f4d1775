using System;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

/// <summary>Messages understood by the test actors.</summary>
public static class Cmd
{
    public const string Renew = "renew";
    public const string Fail = "fail";
    public const string Owner = "owner";
}

/// <summary>What one incarnation saw when it was constructed or restarted.</summary>
public sealed record Constructed(int Incarnation, bool? PreviousTokenCancelled);

public sealed record Restarted(int Incarnation, bool? PreviousTokenCancelled);

/// <summary>The workers that take their owner from <c>Context.GetTokenOwner()</c>, one per base class, for theories.</summary>
public static class Workers
{
    public const string Receive = nameof(ReceiveActor);
    public const string Untyped = nameof(UntypedActor);

    public static readonly TheoryData<string> BaseClasses = new() { Receive, Untyped };

    public static Props Props(string baseClass, IActorRef probe, Shared shared) => baseClass switch
    {
        Receive => global::Akka.Actor.Props.Create(() => new Worker(probe, shared)),
        Untyped => global::Akka.Actor.Props.Create(() => new UntypedWorker(probe, shared)),
        _ => throw new ArgumentOutOfRangeException(nameof(baseClass), baseClass, null),
    };
}

/// <summary>State shared between a test and every incarnation of its actor.</summary>
public sealed class Shared
{
    private int _incarnations;

    public CancellationToken? LastToken { get; set; }

    public TokenOwner? LastOwner { get; set; }

    public int NextIncarnation() => Interlocked.Increment(ref _incarnations);
}

/// <summary>
/// A ReceiveActor that takes its owner from <c>Context.GetTokenOwner()</c> in its constructor and reports,
/// at construction and in PostRestart, whether the previous incarnation's last token was already cancelled.
/// </summary>
public class Worker : ReceiveActor
{
    private readonly IActorRef _probe;
    private readonly Shared _shared;
    private readonly TokenOwner _owner;
    private readonly int _incarnation;

    public Worker(IActorRef probe, Shared shared)
    {
        _probe = probe;
        _shared = shared;
        _incarnation = shared.NextIncarnation();
        probe.Tell(new Constructed(_incarnation, shared.LastToken?.IsCancellationRequested));
        _owner = Context.GetTokenOwner();
        ReceiveAsync<string>(s => s == Cmd.Renew, async _ =>
        {
            var token = await _owner.RenewAsync();
            _shared.LastToken = token;
            _shared.LastOwner = _owner;
            Sender.Tell(token);
        });
        Receive<string>(s => s == Cmd.Fail, _ => throw new InvalidOperationException("boom"));
        Receive<string>(s => s == Cmd.Owner, _ => Sender.Tell(_owner));
    }

    protected override void PostRestart(Exception reason)
    {
        _probe.Tell(new Restarted(_incarnation, _shared.LastToken?.IsCancellationRequested));
        base.PostRestart(reason);
    }
}

/// <summary>A worker whose PreRestart and PostStop skip base (and so never stop children nor call PostStop).</summary>
public sealed class ForgetfulWorker : Worker
{
    public ForgetfulWorker(IActorRef probe, Shared shared)
        : base(probe, shared)
    {
    }

    protected override void PreRestart(Exception reason, object message)
    {
    }

    protected override void PostStop()
    {
    }
}

/// <summary>A worker whose PreRestart throws, so that Akka skips its plugin pipeline.</summary>
public sealed class ThrowingPreRestartWorker : Worker
{
    public ThrowingPreRestartWorker(IActorRef probe, Shared shared)
        : base(probe, shared)
    {
    }

    protected override void PreRestart(Exception reason, object message) => throw new InvalidOperationException("PreRestart failed");
}

/// <summary>An UntypedActor that asks for its owner only when it handles a message.</summary>
public sealed class UntypedWorker : UntypedActor
{
    private readonly IActorRef _probe;
    private readonly Shared _shared;
    private readonly int _incarnation;

    public UntypedWorker(IActorRef probe, Shared shared)
    {
        _probe = probe;
        _shared = shared;
        _incarnation = shared.NextIncarnation();
        probe.Tell(new Constructed(_incarnation, shared.LastToken?.IsCancellationRequested));
    }

    protected override void PostRestart(Exception reason)
    {
        _probe.Tell(new Restarted(_incarnation, _shared.LastToken?.IsCancellationRequested));
        base.PostRestart(reason);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Cmd.Renew:
                var owner = Context.GetTokenOwner();
                var token = owner.RenewAsync().AsTask().GetAwaiter().GetResult();
                _shared.LastToken = token;
                _shared.LastOwner = owner;
                Sender.Tell(token);
                break;
            case Cmd.Fail:
                throw new InvalidOperationException("boom");
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>A parent with a given strategy that creates the given children and replies with them on request.</summary>
public sealed class Parent : ReceiveActor
{
    private readonly SupervisorStrategy _strategy;

    public Parent(SupervisorStrategy strategy, Props[] children)
    {
        _strategy = strategy;
        var refs = new IActorRef[children.Length];
        for (var i = 0; i < children.Length; i++)
        {
            refs[i] = Context.ActorOf(children[i], "child-" + i);
        }

        Receive<string>(s => s == "children", _ => Sender.Tell(refs));
    }

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;
}

/// <summary>A worker that pipes the result of outside work to itself only while its token is current.</summary>
public sealed class PipingWorker : ReceiveActor
{
    public PipingWorker(IActorRef probe, Func<Task<int>> work)
    {
        var owner = Context.GetTokenOwner();
        probe.Tell("constructed");
        ReceiveAsync<string>(s => s == "start", async _ =>
        {
            var token = await owner.RenewAsync();
            var piped = work().PipeToIfCurrent(owner, token, Self, success: r => new WorkResult(r));
            probe.Tell(new Started(token, piped));
        });
        Receive<string>(s => s == Cmd.Fail, _ => throw new InvalidOperationException("boom"));
        Receive<WorkResult>(r => probe.Tell(r));
    }
}

public sealed record WorkResult(int Value);

public sealed record Started(CancellationToken Token, Task<bool> Piped);
