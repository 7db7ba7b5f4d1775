using Lifetime.Reliability.Tests;
using Lifetime.Reliability.Tests.Infrastructure;

// `dotnet Lifetime.Core.Reliability.Tests.dll` runs the suite in this process, without the VSTest
// host: how CappedThreadPoolTests runs it under a capped thread pool. `dotnet test` does not use this.
return SuiteRunner.Run(excludedClass: typeof(CappedThreadPoolTests));
