using System.Threading;
using System.Threading.Tasks;

namespace Lifetime.Reliability.Tests.Races;

/// <summary>The real <see cref="TokenOwner"/> as a race subject.</summary>
public sealed class OwnerRaceSubject : IRaceSubject
{
    private readonly TokenOwner _owner;

    public OwnerRaceSubject(TokenOwner owner) => _owner = owner;

    public Task Completion => _owner.Completion;

    public ValueTask<CancellationToken> RenewAsync() => _owner.RenewAsync();

    public ValueTask DisposeAsync() => _owner.DisposeAsync();

    public void Dispose() => _owner.Dispose();
}
