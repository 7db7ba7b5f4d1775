using System.Threading;

namespace Lifetime;

/// <summary>
/// The links a renew asks for, as they travel from the call site to the processing path: one link is
/// carried by value, so that the commonest linked renew copies no array; more links are a private copy of
/// the caller's array.
/// </summary>
internal readonly struct RequestedLinks
{
    private readonly CancellationToken[]? _many;
    private readonly CancellationToken _single;
    private readonly bool _hasSingle;

    private RequestedLinks(CancellationToken single)
    {
        _single = single;
        _hasSingle = true;
    }

    private RequestedLinks(CancellationToken[] many) => _many = many;

    /// <summary>How many links were asked for (0: a plain renew).</summary>
    public int Count => _many?.Length ?? (_hasSingle ? 1 : 0);

    /// <summary>The link at <paramref name="index"/>, 0 &lt;= index &lt; <see cref="Count"/>.</summary>
    public CancellationToken this[int index] => _many is null ? _single : _many[index];

    /// <summary>
    /// The links of <paramref name="links"/> (already checked for null): none for an empty array, one by
    /// value, or a copy of the array, so that changing it after the call has no effect.
    /// </summary>
    public static RequestedLinks From(CancellationToken[] links) => links.Length switch
    {
        0 => default,
        1 => new RequestedLinks(links[0]),
        _ => new RequestedLinks((CancellationToken[])links.Clone()),
    };
}
