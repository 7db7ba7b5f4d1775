using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Tests;

public sealed class TokenOwnerCallbackPlacementTests : IDisposable
{
    private readonly PumpContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public async Task Inline_CallbackHasReturnedWhenRenewCompletes()
    {
        await using var owner = new TokenOwner();
        var token = await owner.RenewAsync().Within();
        var ranOn = -1;
        token.Register(() => ranOn = Environment.CurrentManagedThreadId);

        var renew = owner.RenewAsync();

        Assert.True(renew.IsCompletedSuccessfully);
        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
        await renew;
    }

    [Theory]
    [InlineData(CallbackPlacement.ThreadPool)]
    [InlineData(CallbackPlacement.SynchronizationContext)]
    public async Task Dispatched_SlowCallback_NeverStallsTheOwnerButHoldsItsOwnReply(CallbackPlacement placement)
    {
        await using var owner = Create(placement);
        var slot = owner.CreateSlot();
        var token = await slot.RenewAsync().Within();
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() =>
        {
            entered.SetResult();
            release.Wait(Bounded.Limit);
        });

        var renew = slot.RenewAsync().AsTask();
        await entered.Task.Within();

        // The owner goes on with other work while the callback is blocked...
        var other = await owner.RenewAsync().Within();
        Assert.True(owner.IsCurrent(other));
        Assert.True(await owner.TouchAsync(TimeSpan.FromMinutes(1)).Within());

        // ...but the renew that ended the token answers only after its callback returned.
        Assert.False(renew.IsCompleted);
        Assert.True(token.IsCancellationRequested);
        release.Set();
        var next = await renew.Within();
        Assert.True(slot.IsCurrent(next));
    }

    [Fact]
    public async Task SynchronizationContext_CallbacksRunOnThatContext()
    {
        await using var owner = Create(CallbackPlacement.SynchronizationContext);
        var token = await owner.RenewAsync().Within();
        var ranOn = -1;
        token.Register(() => ranOn = Environment.CurrentManagedThreadId);

        await owner.RenewAsync().Within();

        Assert.Equal(_context.ThreadId, ranOn);
        Assert.True(_context.Posted > 0);
    }

    [Fact]
    public async Task SynchronizationContext_CapturedWhenNoneGiven()
    {
        var captured = await RunOnContext(() => new TokenOwner(new TokenOwnerOptions { CallbackPlacement = CallbackPlacement.SynchronizationContext }));
        var token = await captured.RenewAsync().Within();
        var ranOn = -1;
        token.Register(() => ranOn = Environment.CurrentManagedThreadId);

        await captured.DisposeAsync().Within();

        Assert.Equal(_context.ThreadId, ranOn);
    }

    [Theory]
    [InlineData(CallbackPlacement.ThreadPool)]
    [InlineData(CallbackPlacement.SynchronizationContext)]
    public async Task Dispatched_PreviousTokenCancelledWhenRenewCompletes(CallbackPlacement placement)
    {
        var counter = new SourceCounter();
        var options = counter.Options();
        options.CallbackPlacement = placement;
        options.CallbackContext = _context;
        var owner = new TokenOwner(options);
        var token = await owner.RenewAsync().Within();

        for (var i = 0; i < 100; i++)
        {
            var next = await owner.RenewAsync().Within();
            Assert.True(token.IsCancellationRequested);
            token = next;
        }

        await owner.DisposeAsync().Within();
        Assert.True(token.IsCancellationRequested);
        counter.AssertBalanced();
    }

    [Fact]
    public async Task SynchronizationContext_DisposeOnThatContext_DoesNotDeadlock()
    {
        var counter = new SourceCounter();
        var options = counter.Options();
        options.CallbackPlacement = CallbackPlacement.SynchronizationContext;
        options.CallbackContext = _context;
        var owner = new TokenOwner(options);
        var token = await owner.RenewAsync().Within();

        // Like a Unity OnDestroy: a synchronous Dispose on the very thread callbacks are posted to.
        await RunOnContext(() =>
        {
            owner.Dispose();
            return 0;
        });

        await owner.Completion.Within();
        Assert.True(token.IsCancellationRequested);
        counter.AssertBalanced();
    }

    private TokenOwner Create(CallbackPlacement placement) => new(new TokenOwnerOptions
    {
        CallbackPlacement = placement,
        CallbackContext = placement == CallbackPlacement.SynchronizationContext ? _context : null,
    });

    private Task<T> RunOnContext<T>(Func<T> action)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _context.Post(
            _ =>
            {
                try
                {
                    result.SetResult(action());
                }
                catch (Exception ex)
                {
                    result.SetException(ex);
                }
            },
            null);
        return result.Task.Within();
    }
}
