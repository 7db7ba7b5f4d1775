using System;

namespace Lifetime.Tests.Infrastructure;

/// <summary>Looks for an exception of a given type, directly or inside (nested) aggregates.</summary>
public static class Exceptions
{
    public static bool Contains<T>(Exception e)
        where T : Exception
    {
        if (e is T)
        {
            return true;
        }

        if (e is AggregateException aggregate)
        {
            foreach (var inner in aggregate.Flatten().InnerExceptions)
            {
                if (inner is T)
                {
                    return true;
                }
            }
        }

        return e.InnerException is not null && Contains<T>(e.InnerException);
    }
}
