using System;
using System.Threading.Tasks;
using SessionLibrary;

// The crash: the netstandard2.1 library sets TokenOwnerOptions.TimeProvider inside, and this app
// gets Lifetime.Core's net10.0 assets. It must find Microsoft.Bcl.TimeProvider at run time.
var failure = await SessionClock.CheckAsync(SessionClock.CreateSystemOwner());
if (failure is not null)
{
    Console.WriteLine($"FAIL net10.0 app: {failure}");
    return 1;
}

Console.WriteLine($"OK net10.0 app on runtime {Environment.Version.Major}: timeout fired, CancelAndDispose ended the token");
return 0;
