using System;
using System.Threading;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>The real owner, with counted sources, as a concurrent subject.</summary>
public sealed class OwnerSubject : IConcurrentSubject
{
    private readonly LeakLedger _ledger = new();
    private readonly ManualTimeProvider _time = new();
    private readonly TokenOwner _owner;
    private readonly TokenSlot[] _slots;

    /// <param name="placement">Where the owner runs cancellations.</param>
    /// <param name="context">The context for <see cref="CallbackPlacement.SynchronizationContext"/>.</param>
    public OwnerSubject(CallbackPlacement placement, SynchronizationContext? context = null)
    {
        var options = _ledger.Options(_time);
        options.CallbackPlacement = placement;
        options.CallbackContext = context;
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

    public void Audit()
    {
        Sync.Wait(_owner.DisposeAsync());
        Sync.Wait(_owner.Completion);
        _ledger.AssertBalanced();
        Assert.Equal((0, false), _owner.Wheel.Snapshot);
        Assert.Equal(0, _time.ArmedTimers);
    }
}
