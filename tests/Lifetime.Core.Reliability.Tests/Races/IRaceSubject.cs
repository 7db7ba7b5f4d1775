using System.Threading;
using System.Threading.Tasks;

namespace Lifetime.Reliability.Tests.Races;

/// <summary>The members of an owner that the Renew‖Dispose race needs, so a planted double can stand in.</summary>
public interface IRaceSubject
{
    Task Completion { get; }

    ValueTask<CancellationToken> RenewAsync();

    ValueTask DisposeAsync();

    void Dispose();
}
