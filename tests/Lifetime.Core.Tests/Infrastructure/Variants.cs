using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime.Tests.Infrastructure;

/// <summary>The five renew variants, so that each guarantee about renewing is checked for all of them.</summary>
public static class Variants
{
    public static readonly CancellationTokenSource LongLived = new();

    public static IEnumerable<object[]> Renews() =>
    [
        ["Renew"],
        ["RenewAfter"],
        ["RenewLinked"],
        ["RenewLinkedAfter"],
        ["RenewOwned"],
    ];

    public static ValueTask<CancellationToken> Renew(TokenSlot slot, string variant, SourceCounter? counter = null) => variant switch
    {
        "Renew" => slot.RenewAsync(),
        "RenewAfter" => slot.RenewAfterAsync(TimeSpan.FromMinutes(30)),
        "RenewLinked" => slot.RenewLinkedAsync(LongLived.Token),
        "RenewLinkedAfter" => slot.RenewLinkedAfterAsync(TimeSpan.FromMinutes(30), LongLived.Token),
        "RenewOwned" => slot.RenewOwnedAsync(counter?.CreateForCaller() ?? new CancellationTokenSource()),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    public static ValueTask<CancellationToken> Renew(TokenOwner owner, string variant, SourceCounter? counter = null) => variant switch
    {
        "Renew" => owner.RenewAsync(),
        "RenewAfter" => owner.RenewAfterAsync(TimeSpan.FromMinutes(30)),
        "RenewLinked" => owner.RenewLinkedAsync(LongLived.Token),
        "RenewLinkedAfter" => owner.RenewLinkedAfterAsync(TimeSpan.FromMinutes(30), LongLived.Token),
        "RenewOwned" => owner.RenewOwnedAsync(counter?.CreateForCaller() ?? new CancellationTokenSource()),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };
}
