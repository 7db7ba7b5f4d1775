using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;

namespace Lifetime.Akka.Tests;

/// <summary>
/// An incarnation's end is an end of life (docs/design.md, guarantee 7), not an explicit disposal: late code that
/// renews on the ended incarnation's owner gets an already-cancelled token, while an explicit
/// <see cref="TokenOwner.Dispose"/> by the actor's own code still makes renews throw. Each spec runs on every
/// route to an incarnation owner: <c>Context.GetTokenOwner()</c> and both base classes.
/// </summary>
public sealed class EndOfLifeTests : LifetimeSpec
{
    public static readonly TheoryData<string, string> RoutesAndEnds = new()
    {
        { LateWorkers.Context, Ends.Restart },
        { LateWorkers.Context, Ends.Stop },
        { LateWorkers.Receive, Ends.Restart },
        { LateWorkers.Receive, Ends.Stop },
        { LateWorkers.Untyped, Ends.Restart },
        { LateWorkers.Untyped, Ends.Stop },
    };

    public static readonly TheoryData<string> Routes = new() { LateWorkers.Context, LateWorkers.Receive, LateWorkers.Untyped };

    [Theory]
    [MemberData(nameof(RoutesAndEnds))]
    public async Task LateRenew_AfterIncarnationEnded_CompletesWithCancelledToken(string route, string end)
    {
        var actor = Sys.ActorOf(LateWorkers.Props(route, TestActor, Counter));
        await ExpectMsgAsync<Constructed>(Bound);
        var live = await RenewAsync(actor);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(new LateRenew(gate.Task));
        await ExpectMsgAsync(LateWorkers.Started, Bound);

        await EndAsync(actor, end);
        gate.SetResult(); // the continuation (a PipeTo's, say) now renews on the ended owner

        var renewed = await ExpectMsgAsync<LateRenewed>(Bound);
        Assert.True(renewed.Token.IsCancellationRequested);
        Assert.Equal(TokenEndCause.OwnerEnded, renewed.Owner.GetEndCause(renewed.Token));
        Assert.True(live.IsCancellationRequested);
        Assert.Equal(TokenEndCause.OwnerEnded, renewed.Owner.GetEndCause(live)); // ended by the end of life, not a Dispose
        Assert.False(renewed.Owner.IsCurrent(renewed.Token));
        await renewed.Owner.Completion.WaitAsync(Bound);
        Assert.Equal(0, Counter.Live); // the late renew created no source
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Renew_AfterExplicitDisposeInActor_ThrowsObjectDisposed(string route)
    {
        var actor = Sys.ActorOf(LateWorkers.Props(route, TestActor, Counter));
        await ExpectMsgAsync<Constructed>(Bound);
        var live = await RenewAsync(actor);

        var owner = await actor.Ask<TokenOwner>(Cmd.Owner, Bound);

        actor.Tell(LateWorkers.DisposeThenRenew);

        Assert.IsType<ObjectDisposedException>(await ExpectMsgAsync<Exception>(Bound));
        Assert.True(live.IsCancellationRequested);
        Assert.Equal(TokenEndCause.OwnerDisposed, owner.GetEndCause(live));
        Assert.Equal(0, Counter.Live);
    }

    /// <summary>The first of an explicit disposal and an end of life decides: here the disposal came first.</summary>
    [Theory]
    [MemberData(nameof(Routes))]
    public async Task LateRenew_DisposedExplicitlyThenIncarnationEnded_ThrowsObjectDisposed(string route)
    {
        var actor = Sys.ActorOf(LateWorkers.Props(route, TestActor, Counter));
        await ExpectMsgAsync<Constructed>(Bound);
        await RenewAsync(actor);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(new LateRenew(gate.Task));
        await ExpectMsgAsync(LateWorkers.Started, Bound);
        actor.Tell(LateWorkers.DisposeThenRenew);
        Assert.IsType<ObjectDisposedException>(await ExpectMsgAsync<Exception>(Bound));

        await EndAsync(actor, Ends.Restart);
        gate.SetResult();

        Assert.IsType<ObjectDisposedException>(await ExpectMsgAsync<Exception>(Bound));
    }

    [Fact]
    public async Task UserOuterToken_Fires_EndsOwnerWhileActorLives()
    {
        using var outer = new CancellationTokenSource();
        var options = Counter.Options();
        options.OuterToken = outer.Token;
        ActorTokenOwners.Get(Sys).OptionsFactory = () => options;
        var actor = Sys.ActorOf(LateWorkers.Props(LateWorkers.Context, TestActor, Counter));
        await ExpectMsgAsync<Constructed>(Bound);
        var token = await RenewAsync(actor);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.Register(() => ended.TrySetResult());

        outer.Cancel();

        await ended.Task.WaitAsync(Bound);
        Assert.Equal(outer.Token, options.OuterToken); // the factory's instance was copied, not changed
        var owner = await actor.Ask<TokenOwner>(Cmd.Owner, Bound);
        await owner.Completion.WaitAsync(Bound);
        Assert.Equal(0, Counter.Live);
    }

    [Fact]
    public void WithOuterToken_CopiesEverySetting()
    {
        // When Core adds a setting, this fails until IncarnationOwner.WithOuterToken copies it.
        var settings = typeof(TokenOwnerOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(
            new[] { "CallbackContext", "CallbackPlacement", "OnCancelException", "OuterToken", "SourceFactory", "ThrowOnCancelException", "TimeProvider" },
            settings);

        using var outer = new CancellationTokenSource();
        var context = new SynchronizationContext();
        Action<Exception> report = _ => { };
        Func<CancellationTokenSource> factory = () => new CancellationTokenSource();
        var options = new TokenOwnerOptions
        {
            CallbackContext = context,
            CallbackPlacement = CallbackPlacement.ThreadPool,
            OnCancelException = report,
            OuterToken = CancellationToken.None,
            SourceFactory = factory,
            ThrowOnCancelException = true,
            TimeProvider = TimeProvider.System,
        };

        var copy = IncarnationOwner.WithOuterToken(options, outer.Token);

        Assert.NotSame(options, copy);
        Assert.Same(context, copy.CallbackContext);
        Assert.Equal(CallbackPlacement.ThreadPool, copy.CallbackPlacement);
        Assert.Same(report, copy.OnCancelException);
        Assert.Equal(outer.Token, copy.OuterToken);
        Assert.Same(factory, copy.SourceFactory);
        Assert.True(copy.ThrowOnCancelException);
        Assert.Same(TimeProvider.System, copy.TimeProvider);
        Assert.Equal(CancellationToken.None, options.OuterToken);
    }

    private async Task EndAsync(IActorRef actor, string end)
    {
        if (end == Ends.Restart)
        {
            actor.Tell(Cmd.Fail);
            await ExpectMsgAsync<Constructed>(Bound);
        }
        else
        {
            Watch(actor);
            Sys.Stop(actor);
            await ExpectTerminatedAsync(actor, Bound);
        }
    }

    private static class Ends
    {
        public const string Restart = "restart";
        public const string Stop = "stop";
    }
}
