using System;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

/// <summary>A TestKit whose system installs <see cref="ActorTokenOwners"/> through HOCON and counts sources.</summary>
public abstract class LifetimeSpec : global::Akka.TestKit.Xunit2.TestKit
{
    public const string InstallConfig = "akka.extensions = [\"Lifetime.Akka.ActorTokenOwnersProvider, Lifetime.Akka\"]";

    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    protected static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    protected LifetimeSpec()
        : base(InstallConfig)
    {
        ActorTokenOwners.Get(Sys).OptionsFactory = Counter.Options;
    }

    protected SourceCounter Counter { get; } = new();

    protected Task<CancellationToken> RenewAsync(IActorRef actor) => actor.Ask<CancellationToken>(Cmd.Renew, Bound);
}
