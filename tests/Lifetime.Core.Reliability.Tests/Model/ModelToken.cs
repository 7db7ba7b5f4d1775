using System.Collections.Generic;
using System.Threading;

namespace Lifetime.Reliability.Tests.Model;

/// <summary>The model of one token the owner handed out (or installed without the caller seeing it).</summary>
public sealed class ModelToken
{
    public ModelToken(int id, int slot, CancellationToken real, bool known)
    {
        Id = id;
        Slot = slot;
        Real = real;
        Known = known;
    }

    public int Id { get; }

    public int Slot { get; }

    /// <summary>The real token; meaningful only when <see cref="Known"/>.</summary>
    public CancellationToken Real { get; }

    /// <summary>False for a token installed by a renew that then threw (strict mode): the caller never saw it.</summary>
    public bool Known { get; }

    public bool Cancelled { get; set; }

    /// <summary>Why it ended, as <see cref="TokenOwner.GetEndCause"/> must tell (<see cref="TokenEndCause.Live"/> while live).</summary>
    public TokenEndCause Cause { get; set; } = TokenEndCause.Live;

    /// <summary>The deadline as a clock timestamp, or <see cref="long.MaxValue"/> for none.</summary>
    public long Deadline { get; set; } = long.MaxValue;

    /// <summary>External tokens (by index) this token follows.</summary>
    public List<int> ExternalLinks { get; } = new();

    /// <summary>Issued tokens (by id) this token follows.</summary>
    public List<int> TokenLinks { get; } = new();

    /// <summary>Whether a callback registered on it throws.</summary>
    public bool Throws { get; set; }
}
