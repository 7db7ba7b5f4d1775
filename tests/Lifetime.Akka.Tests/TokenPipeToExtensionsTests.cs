using System;
using System.Threading;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Event;

namespace Lifetime.Akka.Tests;

public sealed class TokenPipeToExtensionsTests : LifetimeSpec
{
    [Fact]
    public async Task PipeToIfCurrent_TokenStillCurrent_SendsResult()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewAsync();
        var work = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var piped = work.Task.PipeToIfCurrent(owner, token, TestActor);

        work.SetResult(42);

        Assert.True(await piped.WaitAsync(Bound));
        Assert.Equal(42, await ExpectMsgAsync<int>(Bound));
    }

    [Fact]
    public async Task PipeToIfCurrent_TokenRenewed_ResultDropped()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewAsync();
        var work = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var piped = work.Task.PipeToIfCurrent(owner, token, TestActor);

        await owner.RenewAsync();
        work.SetResult(42);

        Assert.False(await piped.WaitAsync(Bound));
        await ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task PipeToIfCurrent_SlotTokenCancelledWorkFaults_FailureDropped()
    {
        await using var owner = new TokenOwner();
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync();
        var piped = WaitForeverAsync(token).PipeToIfCurrent(slot, token, TestActor);

        await slot.CancelAndDisposeAsync();

        Assert.False(await piped.WaitAsync(Bound));
        await ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task PipeToIfCurrent_CurrentWorkFaults_SendsFailure()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewAsync();
        var piped = Task.FromException<int>(new InvalidOperationException("x")).PipeToIfCurrent(owner, token, TestActor);

        Assert.True(await piped.WaitAsync(Bound));
        var failure = await ExpectMsgAsync<Status.Failure>(Bound);
        Assert.IsType<InvalidOperationException>(failure.Cause);
    }

    [Fact]
    public async Task PipeToIfCurrent_ActorRestartedBeforeWorkCompletes_NewIncarnationNeverSeesResult()
    {
        var work = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = Sys.ActorOf(Props.Create(() => new PipingWorker(TestActor, () => work.Task)));
        await ExpectMsgAsync<string>(Bound);
        actor.Tell("start");
        var started = await ExpectMsgAsync<Started>(Bound);

        actor.Tell(Cmd.Fail);
        Assert.Equal("constructed", await ExpectMsgAsync<string>(Bound));
        work.SetResult(7);

        Assert.False(await started.Piped.WaitAsync(Bound));
        Assert.True(started.Token.IsCancellationRequested);
        await ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task PipeToIfCurrent_ActorStoppedBeforeWorkCompletes_NothingInDeadLetters()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(AllDeadLetters));
        var work = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = Sys.ActorOf(Props.Create(() => new PipingWorker(TestActor, () => work.Task)));
        await ExpectMsgAsync<string>(Bound);
        actor.Tell("start");
        var started = await ExpectMsgAsync<Started>(Bound);
        Watch(actor);

        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor, Bound);
        work.SetResult(7);

        Assert.False(await started.Piped.WaitAsync(Bound));
        await deadLetters.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task PipeToIfCurrent_ControlWithoutGuard_StoppedActorGetsDeadLetter()
    {
        // Shows the dead-letter probe above can fail: a plain Tell to the stopped actor is caught.
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(AllDeadLetters));
        var actor = Sys.ActorOf(Props.Create(() => new PipingWorker(TestActor, () => Task.FromResult(1))));
        await ExpectMsgAsync<string>(Bound);
        Watch(actor);
        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor, Bound);

        actor.Tell(new WorkResult(7));

        await deadLetters.ExpectMsgAsync<AllDeadLetters>(Bound);
    }

    private static async Task<int> WaitForeverAsync(CancellationToken token)
    {
        await Task.Delay(Timeout.Infinite, token);
        return 1;
    }
}
