namespace Lifetime.Akka.Cluster.Tests;

/// <summary>Every cluster spec runs in this collection, one after another: never two clusters at once.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster";
}
