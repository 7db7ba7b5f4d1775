using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;

namespace Lifetime.Packaging.Tests;

/// <summary>The dependencies that the packed Lifetime.Core declares, read from the .nupkg's nuspec.</summary>
[Collection(PackedPackageCollection.Name)]
public sealed class NuspecTests
{
    private const string TimeProviderPackage = "Microsoft.Bcl.TimeProvider";

    private readonly PackedPackage _package;

    public NuspecTests(PackedPackage package) => _package = package;

    [Fact]
    public void Nuspec_EveryTarget_DependsOnMicrosoftBclTimeProvider()
    {
        using var archive = ZipFile.OpenRead(_package.PackagePath);
        var targets = archive.Entries
            .Select(e => e.FullName.Split('/'))
            .Where(parts => parts.Length == 3 && parts[0] == "lib" && parts[2] == "Lifetime.Core.dll")
            .Select(parts => parts[1])
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Superset(new[] { "netstandard2.1", "net8.0", "net10.0" }.ToHashSet(StringComparer.OrdinalIgnoreCase), targets);

        var nuspecEntry = archive.Entries.Single(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        string nuspec;
        using (var reader = new StreamReader(nuspecEntry.Open()))
        {
            nuspec = reader.ReadToEnd();
        }

        // TimeProvider is in the public API: whatever target a consumer gets, the package must bring its
        // assembly, or a netstandard2.1 library that uses it fails in a net8.0+ app (CS0012, FileNotFoundException).
        var groups = XDocument.Parse(nuspec).Descendants().Where(e => e.Name.LocalName == "group").ToList();
        foreach (var target in targets)
        {
            var group = groups.SingleOrDefault(g => Normalize((string?)g.Attribute("targetFramework")) == target);
            Assert.True(group is not null, $"The nuspec has no dependency group for lib/{target}:\n{nuspec}");
            var dependencies = group.Elements().Where(e => e.Name.LocalName == "dependency").Select(e => (string?)e.Attribute("id"));
            Assert.True(
                dependencies.Contains(TimeProviderPackage, StringComparer.OrdinalIgnoreCase),
                $"The nuspec's {target} group does not depend on {TimeProviderPackage}:\n{nuspec}");
        }
    }

    // NuGet writes netstandard2.1 as ".NETStandard2.1" and net8.0 as "net8.0" in a nuspec.
    private static string? Normalize(string? targetFramework) =>
        targetFramework is not null && targetFramework.StartsWith(".NETStandard", StringComparison.OrdinalIgnoreCase)
            ? "netstandard" + targetFramework[".NETStandard".Length..]
            : targetFramework;
}
