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
}
