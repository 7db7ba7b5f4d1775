using System;
using System.Threading;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>The real owner, with counted sources and an outer token, as a concurrent subject.</summary>
public sealed class OwnerSubject : IConcurrentSubject
{
    private readonly LeakLedger _ledger = new();
    private readonly ManualTimeProvider _time = new();
    private readonly CancellationTokenSource _outer = new();
    private readonly TokenOwner _owner;
    private readonly TokenSlot[] _slots;
    private readonly bool _plantedV1Binding;
    private CancellationToken? _endOfLifeToken;

    /// <param name="placement">Where the owner runs cancellations.</param>
    /// <param name="context">The context for <see cref="CallbackPlacement.SynchronizationContext"/>.</param>
    /// <param name="plantedV1Binding">
    /// A planted bug for the checker's self-test: the outer token is bound the v1 way, by disposing the
    /// owner when it fires, so renews racing the end of life throw.
    /// </param>
    public OwnerSubject(CallbackPlacement placement, SynchronizationContext? context = null, bool plantedV1Binding = false)
    {
        _plantedV1Binding = plantedV1Binding;
        var options = _ledger.Options(_time);
        options.CallbackPlacement = placement;
        options.CallbackContext = context;
        options.OuterToken = plantedV1Binding ? default : _outer.Token;
        _owner = new TokenOwner(options);
        _slots = [_owner.DefaultSlotForTests, _owner.CreateSlot(), _owner.CreateSlot()];
    }

    public CancellationToken Renew(int slot, bool timed) => Sync.Wait(timed
        ? _slots[slot].RenewAfterAsync(TimeSpan.FromMinutes(30))
        : slot == 0 ? _owner.RenewAsync() : _slots[slot].RenewAsync());

    public void Cancel(int slot) => Sync.Wait(_slots[slot].CancelAndDisposeAsync());

    public bool Touch(int slot, bool zero) => Sync.Wait(_slots[slot].TouchAsync(zero ? TimeSpan.Zero : TimeSpan.FromMinutes(45)));

    public bool IsCurrent(int slot, CancellationToken token) => _slots[slot].IsCurrent(token);

    public void CancelAll() => Sync.Wait(_owner.CancelAllAsync());

    public void Retire(int slot) => Sync.Wait(_slots[slot].DisposeAsync());

    public void Dispose() => Sync.Wait(_owner.DisposeAsync());

    public CancellationToken RenewSync(int slot, bool timed) => timed ? _slots[slot].RenewAfter(TimeSpan.FromMinutes(30)) : slot == 0 ? _owner.Renew() : _slots[slot].Renew();

    public void CancelSync(int slot) => _slots[slot].CancelAndDispose();

    public bool TouchSync(int slot, bool zero) => _slots[slot].Touch(zero ? TimeSpan.Zero : TimeSpan.FromMinutes(45));

    public void CancelAllSync() => _owner.CancelAll();

    public void EndLife()
    {
        if (_plantedV1Binding)
        {
            _owner.Dispose();
        }

        _outer.Cancel();
    }

    /// <remarks>
    /// Every renew after the end of life gets the same already-cancelled token (TokenOwner.EndOfLife.cs),
    /// and a token handed out live is never that one: a renew now, with the life ended, returns it.
    /// </remarks>
    public bool IsEndOfLifeAnswer(CancellationToken token)
    {
        if (!_owner.LifeEnded || _owner.GetEndCause(token) != TokenEndCause.OwnerEnded)
        {
            return false;
        }

        _endOfLifeToken ??= _owner.Renew();
        return token == _endOfLifeToken.Value;
    }

    public void Settle()
    {
        if (_outer.IsCancellationRequested && !_owner.Completion.Wait(Bounded.Limit))
        {
            Assert.Fail("The end of life never completed.");
        }
    }

    public void Audit()
    {
        Sync.Wait(_owner.DisposeAsync());
        Assert.Equal(0, RegistrationProbe.Count(_outer));
        _outer.Dispose();
        Sync.Wait(_owner.Completion);
        _ledger.AssertBalanced();
        Assert.Equal((0, false), _owner.Wheel.Snapshot);
        Assert.Equal(0, _time.ArmedTimers);
    }
}
