using System;
using System.IO;
using System.Threading.Tasks;
using Lifetime.Packaging.Tests.Infrastructure;

namespace Lifetime.Packaging.Tests;

/// <summary>
/// Apps built from the packed package, as a user's would be: each references a netstandard2.1 library
/// (Consumers/SessionLibrary) that uses Lifetime.Core with a TimeProvider, so the app gets the package's
/// net8.0 or net10.0 assets while the library was compiled against its netstandard2.1 ones.
/// </summary>
[Collection(PackedPackageCollection.Name)]
public sealed class ConsumerTests
{
    // Generous for a restore and two projects on a loaded 2-core machine; a hang still fails well before
    // the suite's hang limit.
    private static readonly TimeSpan s_buildTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(1);

    private readonly PackedPackage _package;

    public ConsumerTests(PackedPackage package) => _package = package;

    [Fact]
    public async Task Net10App_NetStandardLibraryWithTimeProvider_BuildsAndRuns()
    {
        var output = await BuildAndRunAsync("Net10App", "net10.0");

        Assert.Contains("OK net10.0 app on runtime 10", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Net8App_NetStandardLibraryWithTimeProvider_BuildsAndRunsRolledForward()
    {
        var output = await BuildAndRunAsync("Net8App", "net8.0");

        Assert.Contains("OK net8.0 app on runtime 10", output, StringComparison.Ordinal);
    }

    private async Task<string> BuildAndRunAsync(string app, string targetFramework)
    {
        var directory = Path.Combine(_package.Consumers, app);

        // One build process that leaves nothing running: reused MSBuild nodes or a compiler server would
        // outlive the test holding its output pipes, and one process competes less with the test projects
        // that run beside this one.
        await DotNet.RunAsync(directory, s_buildTimeout, "build", $"{app}.csproj", "-c", "Release", "--disable-build-servers", "-m:1", "-nologo");
        return await DotNet.RunAsync(directory, s_runTimeout, Path.Combine("bin", "Release", targetFramework, $"{app}.dll"));
    }
}
