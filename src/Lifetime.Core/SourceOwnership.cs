using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Lifetime;

/// <summary>
/// Remembers, weakly, every source an owner holds that it did not create itself (handed over with
/// <c>RenewOwnedAsync</c>, or made by <see cref="TokenOwnerOptions.SourceFactory"/>): so that handing the
/// same source to an owner twice fails at the call site, and so that <see cref="TokenOwner.GetEndCause"/>
/// can answer for it as it does for an <see cref="OwnedSource"/>.
/// </summary>
internal static class SourceOwnership
{
    private static readonly ConditionalWeakTable<CancellationTokenSource, Record> s_owned = new();

    /// <summary>Claims <paramref name="source"/> for the owner whose identity object is <paramref name="owner"/>, or returns false when an owner already holds it.</summary>
    public static bool TryClaim(CancellationTokenSource source, object owner)
    {
        try
        {
            s_owned.Add(source, new Record(owner));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Gives a claimed source back to its caller after a request that did not take it.</summary>
    public static void Release(CancellationTokenSource source) => s_owned.Remove(source);

    /// <summary>Records why a claimed source ended: its owner's <see cref="EndMark"/>. Processing path only.</summary>
    public static void SetEnd(CancellationTokenSource source, EndMark mark)
    {
        if (s_owned.TryGetValue(source, out var record))
        {
            Volatile.Write(ref record.End, mark);
        }
    }

    /// <summary>The owner's identity (live) or <see cref="EndMark"/> (ended) of a claimed source; <see langword="null"/> when unclaimed.</summary>
    public static object? EndOf(CancellationTokenSource source) => s_owned.TryGetValue(source, out var record) ? Volatile.Read(ref record.End) : null;

    private sealed class Record
    {
        public object End;

        public Record(object owner) => End = owner;
    }
}
