using System;
using System.Threading.Tasks;
using SessionLibrary;

// This app gets Lifetime.Core's net8.0 assets. Passing a TimeProvider through the netstandard2.1
// library's API needs Microsoft.Bcl.TimeProvider to compile; the library's own use of it needs it to run.
foreach (var owner in new[] { SessionClock.CreateOwner(TimeProvider.System), SessionClock.CreateSystemOwner() })
{
    var failure = await SessionClock.CheckAsync(owner);
    if (failure is not null)
    {
        Console.WriteLine($"FAIL net8.0 app: {failure}");
        return 1;
    }
}

Console.WriteLine($"OK net8.0 app on runtime {Environment.Version.Major}: timeout fired, CancelAndDispose ended the token");
return 0;
