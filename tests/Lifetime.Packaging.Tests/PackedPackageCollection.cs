namespace Lifetime.Packaging.Tests;

/// <summary>The tests that share one <see cref="PackedPackage"/>; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackedPackageCollection : ICollectionFixture<PackedPackage>
{
    public const string Name = "Packed Lifetime.Core";
}
