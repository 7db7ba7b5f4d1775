using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Lifetime.Packaging.Tests.Infrastructure;

namespace Lifetime.Packaging.Tests;

/// <summary>
/// Lifetime.Core packed once for the whole collection, from the build that the project reference keeps
/// current, under a unique prerelease version so that no NuGet cache can serve an older copy; with a
/// folder of consumer projects that restore it from the packed folder.
/// </summary>
public sealed class PackedPackage : IAsyncLifetime
{
    private static readonly TimeSpan s_packTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Gets the unique version the package was packed with.</summary>
    public string Version { get; } = $"0.1.0-ci.{Guid.NewGuid():N}";

    /// <summary>Gets the temporary folder that holds everything this fixture writes.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"lifetime-packaging-{Guid.NewGuid():N}");

    /// <summary>Gets the folder the package was packed into; the consumers' nuget.config lists it.</summary>
    public string Feed => Path.Combine(Root, "feed");

    /// <summary>Gets the folder of the consumer projects, copied from the Consumers templates.</summary>
    public string Consumers => Path.Combine(Root, "consumers");

    /// <summary>Gets the path of the packed .nupkg.</summary>
    public string PackagePath => Path.Combine(Feed, $"Lifetime.Core.{Version}.nupkg");

    public async Task InitializeAsync()
    {
        var project = Metadata("LifetimeCoreProject");
        Directory.CreateDirectory(Feed);

        // No build here: the project reference has built Lifetime.Core in this configuration (every target),
        // and building again with another Version would rewrite the output other test projects use.
        await DotNet.RunAsync(
            Path.GetDirectoryName(project)!,
            s_packTimeout,
            "pack", project, "-c", Metadata("Configuration"), "--no-build", "--disable-build-servers", "-m:1", "-nologo",
            "-o", Feed, $"-p:Version={Version}", $"-p:NuspecOutputPath={Path.Combine(Root, "nuspec")}{Path.DirectorySeparatorChar}");
        Assert.True(File.Exists(PackagePath), $"dotnet pack did not write {PackagePath}.");

        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Consumers"), Consumers);

        // The consumers sit outside the repository; these files also stop MSBuild from looking further up
        // for a Directory.Build.props, Directory.Build.targets or Directory.Packages.props.
        File.WriteAllText(Path.Combine(Consumers, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <LifetimeCoreVersion>{Version}</LifetimeCoreVersion>
                <LangVersion>latest</LangVersion>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <NuGetAudit>false</NuGetAudit>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(Consumers, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(Consumers, "Directory.Packages.props"), "<Project />\n");

        // The registry as in the repository's nuget.config, plus the packed folder, which alone may serve
        // Lifetime.Core (a package of that name on the registry must never stand in for it).
        File.WriteAllText(Path.Combine(Consumers, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="packed">
                  <package pattern="Lifetime.Core" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
    }

    public Task DisposeAsync()
    {
        TryDelete(Root);

        // Restoring the unique version extracted it into the global packages folder; nothing will use it again.
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDelete(Path.Combine(globalPackages, "lifetime.core", Version));
        return Task.CompletedTask;
    }

    private static string Metadata(string key) =>
        typeof(PackedPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test assembly has no {key} metadata.");

    private static void CopyDirectory(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing the run for.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
