using System.Threading;

namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>
/// An owner with a default slot (0) and two more (1, 2), driven synchronously by history threads. Renews
/// throw <see cref="System.ObjectDisposedException"/> when refused.
/// </summary>
public interface IConcurrentSubject
{
    CancellationToken Renew(int slot, bool timed);

    void Cancel(int slot);

    bool Touch(int slot, bool zero);

    bool IsCurrent(int slot, CancellationToken token);

    void CancelAll();

    void Retire(int slot);

    void Dispose();

    /// <summary>Ends the round: disposes what is left and checks that nothing leaked.</summary>
    void Audit();

    /// <summary>The synchronous form of a renew (by default the async one, for doubles that have none).</summary>
    CancellationToken RenewSync(int slot, bool timed) => Renew(slot, timed);

    void CancelSync(int slot) => Cancel(slot);

    bool TouchSync(int slot, bool zero) => Touch(slot, zero);

    void CancelAllSync() => CancelAll();

    /// <summary>The owner's outer token fires: its end of life (by default a disposal, for doubles that have none).</summary>
    void EndLife() => Dispose();

    /// <summary>
    /// After the round: whether <paramref name="token"/>, returned by a renew, is the already-cancelled token
    /// a renew gets after the end of life, rather than a token handed out live.
    /// </summary>
    bool IsEndOfLifeAnswer(CancellationToken token) => false;

    /// <summary>After the round, before its final states are read: waits (bounded) for an end of life still in flight.</summary>
    void Settle()
    {
    }
}
