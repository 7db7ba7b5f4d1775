namespace Lifetime.Tests.Infrastructure;

/// <summary>Tests that read process-wide state (timers, garbage collections, the meter) and so run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NonParallelCollection
{
    public const string Name = "Not parallel";
}
