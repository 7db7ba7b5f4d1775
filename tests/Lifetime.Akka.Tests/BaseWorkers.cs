using System;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

/// <summary>
/// The same worker on each adapter base class: it reports its construction, renews on <see cref="Cmd.Renew"/>,
/// fails on <see cref="Cmd.Fail"/>, counts its sources, and has a <c>PreRestart</c> and <c>PostStop</c> that
/// skip base and throw (the base class must have ended the owner already).
/// </summary>
public static class BaseWorkers
{
    public const string Receive = nameof(TokenOwnerReceiveActor);
    public const string Untyped = nameof(TokenOwnerUntypedActor);

    public static Props Props(string baseClass, IActorRef probe, Shared shared, SourceCounter counter) => baseClass switch
    {
        Receive => global::Akka.Actor.Props.Create(() => new ReceiveWorker(probe, shared, counter)),
        Untyped => global::Akka.Actor.Props.Create(() => new UntypedWorker(probe, shared, counter)),
        _ => throw new ArgumentOutOfRangeException(nameof(baseClass), baseClass, null),
    };

    /// <summary>What both workers do with a message; false when it is not one of theirs.</summary>
    private static bool Handle(object message, TokenOwner owner, Shared shared, IActorRef sender)
    {
        switch (message)
        {
            case Cmd.Renew:
                shared.LastOwner = owner;
                var token = owner.RenewAsync().AsTask().GetAwaiter().GetResult();
                shared.LastToken = token;
                sender.Tell(token);
                return true;
            case Cmd.Fail:
                throw new InvalidOperationException("boom");
            default:
                return false;
        }
    }

    private static void ReportConstructed(IActorRef probe, Shared shared) =>
        probe.Tell(new Constructed(shared.NextIncarnation(), shared.LastToken?.IsCancellationRequested));

    private static void ReportPreRestart(IActorRef probe, Shared shared) =>
        probe.Tell("pre-restart saw cancelled: " + shared.LastToken?.IsCancellationRequested);

    private sealed class ReceiveWorker : TokenOwnerReceiveActor
    {
        private readonly IActorRef _probe;
        private readonly Shared _shared;
        private readonly SourceCounter _counter;

        public ReceiveWorker(IActorRef probe, Shared shared, SourceCounter counter)
        {
            _probe = probe;
            _shared = shared;
            _counter = counter;
            ReportConstructed(probe, shared);
            ReceiveAny(m =>
            {
                if (!Handle(m, Owner, _shared, Sender))
                {
                    Unhandled(m);
                }
            });
        }

        protected override TokenOwnerOptions? CreateOwnerOptions() => _counter.Options();

        protected override void PreRestart(Exception reason, object message)
        {
            ReportPreRestart(_probe, _shared);
            throw new InvalidOperationException("PreRestart failed");
        }

        protected override void PostStop() => throw new InvalidOperationException("PostStop failed");
    }

    private sealed class UntypedWorker : TokenOwnerUntypedActor
    {
        private readonly IActorRef _probe;
        private readonly Shared _shared;
        private readonly SourceCounter _counter;

        public UntypedWorker(IActorRef probe, Shared shared, SourceCounter counter)
        {
            _probe = probe;
            _shared = shared;
            _counter = counter;
            ReportConstructed(probe, shared);
        }

        protected override void OnReceive(object message)
        {
            if (!Handle(message, Owner, _shared, Sender))
            {
                Unhandled(message);
            }
        }

        protected override TokenOwnerOptions? CreateOwnerOptions() => _counter.Options();

        protected override void PreRestart(Exception reason, object message)
        {
            ReportPreRestart(_probe, _shared);
            throw new InvalidOperationException("PreRestart failed");
        }

        protected override void PostStop() => throw new InvalidOperationException("PostStop failed");
    }
}
