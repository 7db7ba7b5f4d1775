using System;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

/// <summary>Starts a continuation that renews on the current owner once <see cref="Gate"/> completes.</summary>
public sealed record LateRenew(Task Gate);

/// <summary>What a late continuation got from its renew.</summary>
public sealed record LateRenewed(TokenOwner Owner, CancellationToken Token);

/// <summary>
/// The same worker on every route to an incarnation owner (<c>Context.GetTokenOwner()</c>,
/// <see cref="TokenOwnerReceiveActor"/>, <see cref="TokenOwnerUntypedActor"/>), with late work: on
/// <see cref="LateRenew"/> it starts a continuation that renews on the owner it captured, after its gate
/// opens, and tells the probe a <see cref="LateRenewed"/> or the exception.
/// </summary>
public static class LateWorkers
{
    public const string Context = "GetTokenOwner";
    public const string Receive = nameof(TokenOwnerReceiveActor);
    public const string Untyped = nameof(TokenOwnerUntypedActor);
    public const string Started = "late work started";
    public const string DisposeThenRenew = "dispose then renew";

    public static Props Props(string route, IActorRef probe, SourceCounter counter) => route switch
    {
        Context => global::Akka.Actor.Props.Create(() => new ContextWorker(probe)),
        Receive => global::Akka.Actor.Props.Create(() => new ReceiveWorker(probe, counter)),
        Untyped => global::Akka.Actor.Props.Create(() => new UntypedWorker(probe, counter)),
        _ => throw new ArgumentOutOfRangeException(nameof(route), route, null),
    };

    private static bool Handle(object message, TokenOwner owner, IActorRef probe, IActorRef sender)
    {
        switch (message)
        {
            case Cmd.Renew:
                sender.Tell(owner.RenewAsync().AsTask().GetAwaiter().GetResult());
                return true;
            case Cmd.Owner:
                sender.Tell(owner);
                return true;
            case Cmd.Fail:
                throw new InvalidOperationException("boom");
            case LateRenew late:
                _ = RenewLateAsync(late.Gate, owner, probe);
                probe.Tell(Started);
                return true;
            case DisposeThenRenew:
                owner.Dispose();
                try
                {
                    owner.RenewAsync().AsTask().GetAwaiter().GetResult();
                    probe.Tell("renewed after Dispose");
                }
                catch (Exception e)
                {
                    probe.Tell(e);
                }

                return true;
            default:
                return false;
        }
    }

    private static async Task RenewLateAsync(Task gate, TokenOwner owner, IActorRef probe)
    {
        try
        {
            await gate.ConfigureAwait(false);
            var token = await owner.RenewAsync().ConfigureAwait(false);
            probe.Tell(new LateRenewed(owner, token));
        }
        catch (Exception e)
        {
            probe.Tell(e);
        }
    }

    private sealed class ContextWorker : ReceiveActor
    {
        public ContextWorker(IActorRef probe)
        {
            probe.Tell(new Constructed(0, null));
            ReceiveAny(m =>
            {
                if (!Handle(m, Context.GetTokenOwner(), probe, Sender))
                {
                    Unhandled(m);
                }
            });
        }
    }

    private sealed class ReceiveWorker : TokenOwnerReceiveActor
    {
        private readonly SourceCounter _counter;

        public ReceiveWorker(IActorRef probe, SourceCounter counter)
        {
            _counter = counter;
            probe.Tell(new Constructed(0, null));
            ReceiveAny(m =>
            {
                if (!Handle(m, Owner, probe, Sender))
                {
                    Unhandled(m);
                }
            });
        }

        protected override TokenOwnerOptions? CreateOwnerOptions() => _counter.Options();
    }

    private sealed class UntypedWorker : TokenOwnerUntypedActor
    {
        private readonly IActorRef _probe;
        private readonly SourceCounter _counter;

        public UntypedWorker(IActorRef probe, SourceCounter counter)
        {
            _probe = probe;
            _counter = counter;
            probe.Tell(new Constructed(0, null));
        }

        protected override void OnReceive(object message)
        {
            if (!Handle(message, Owner, _probe, Sender))
            {
                Unhandled(message);
            }
        }

        protected override TokenOwnerOptions? CreateOwnerOptions() => _counter.Options();
    }
}
