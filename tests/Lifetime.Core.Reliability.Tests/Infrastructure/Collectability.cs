using System;
using System.Collections.Generic;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>Whether abandoned objects are collected: a bounded loop of full collections, never a sleep.</summary>
public static class Collectability
{
    /// <summary>How many of <paramref name="references"/> are still alive after up to <paramref name="rounds"/> full collections.</summary>
    public static int Survivors(IReadOnlyList<WeakReference> references, int rounds = 20)
    {
        var alive = references.Count;
        for (var round = 0; round < rounds && alive > 0; round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            alive = 0;
            foreach (var reference in references)
            {
                alive += reference.IsAlive ? 1 : 0;
            }
        }

        return alive;
    }
}
