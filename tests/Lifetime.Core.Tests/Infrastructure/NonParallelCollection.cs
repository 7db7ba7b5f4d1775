namespace Lifetime.Tests.Infrastructure;

/// <summary>Tests that measure process-wide state (timers, GC) and so run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NonParallelCollection
{
    public const string Name = "Contract, not parallel";
}
