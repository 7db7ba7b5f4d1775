using System;

namespace Lifetime.Reliability.Tests.Races;

/// <summary>One schedule of a race: two actions released together, then a check of the outcome.</summary>
public sealed class Race
{
    public Race(Action first, Action second, Action verify, Func<string>? describe = null)
    {
        First = first;
        Second = second;
        Verify = verify;
        Describe = describe;
    }

    /// <summary>A diagnostic of the state under test, added to a failure's message.</summary>
    public Func<string>? Describe { get; }

    public Action First { get; }

    public Action Second { get; }

    public Action Verify { get; }
}
