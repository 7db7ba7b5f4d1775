using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Lifetime;

/// <summary>
/// Remembers, weakly, every source handed to an owner with <c>RenewOwnedAsync</c>, so that handing the
/// same source to a second owner (or twice to one) fails at the call site.
/// </summary>
internal static class SourceOwnership
{
    private static readonly ConditionalWeakTable<CancellationTokenSource, object> s_owned = new();
    private static readonly object s_marker = new();

    /// <summary>Claims <paramref name="source"/>, or returns false when an owner already holds it.</summary>
    public static bool TryClaim(CancellationTokenSource source)
    {
        try
        {
            s_owned.Add(source, s_marker);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Gives a claimed source back to its caller after a request that did not take it.</summary>
    public static void Release(CancellationTokenSource source) => s_owned.Remove(source);
}
