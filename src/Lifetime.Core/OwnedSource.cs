using System.Threading;

namespace Lifetime;

/// <summary>
/// A source the owner creates: a <see cref="CancellationTokenSource"/> with one more field, which says
/// which owner handed its token out and, once it has ended, why. One reference: 8 bytes per renew.
/// </summary>
/// <remarks>
/// <see cref="End"/> is the owner's identity object while the token is live, then that owner's
/// <see cref="EndMark"/> for the cause. Neither references the owner itself: a token held long after it
/// ended must not keep its owner reachable. Written only by the processing path, before the source is
/// cancelled; read by <see cref="TokenOwner.GetEndCause"/> from any thread.
/// </remarks>
internal sealed class OwnedSource : CancellationTokenSource
{
    public OwnedSource(object end) => End = end;

    public object End;
}

/// <summary>One owner's record of one end cause, shared by every source that owner ended for that cause.</summary>
internal sealed class EndMark
{
    public EndMark(object owner, TokenEndCause cause)
    {
        Owner = owner;
        Cause = cause;
    }

    /// <summary>The identity object of the owner that ended the source (not the owner: see <see cref="OwnedSource"/>).</summary>
    public object Owner { get; }

    public TokenEndCause Cause { get; }
}
