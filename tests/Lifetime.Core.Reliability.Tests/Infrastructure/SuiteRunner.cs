using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// Runs this assembly's tests in the current process with xunit's own execution engine, without the
/// VSTest host: the entry point of the capped thread-pool child run. The VSTest host blocks two pool
/// threads of its own, so under <c>DOTNET_ThreadPool_ForceMaxWorkerThreads=2</c> it never starts a
/// test; here the tests run on xunit's dedicated threads and the whole pool is left to the owners.
/// </summary>
public static class SuiteRunner
{
    /// <summary>The line the parent reads: <c>Passed: N, Failed: N, Skipped: N</c>.</summary>
    public const string SummaryPrefix = "Passed: ";

    /// <summary>
    /// Runs every test of this assembly except those of <paramref name="excludedClass"/>, prints each
    /// failure and a summary line, and returns the process exit code: 0 when tests ran, none failed, and
    /// every test xunit ran was reported.
    /// </summary>
    public static int Run(Type excludedClass)
    {
        var assembly = typeof(SuiteRunner).Assembly;
        var sink = new Sink();
        using var framework = new XunitTestFramework(new Sink());
        var discoveryOptions = new Options();
        using (var discoverer = framework.GetDiscoverer(Reflector.Wrap(assembly)))
        {
            discoverer.Find(includeSourceInformation: false, sink, discoveryOptions);
            if (!sink.DiscoveryDone.WaitOne(TimeSpan.FromMinutes(1)))
            {
                Console.WriteLine("Discovery did not finish within a minute.");
                return 2;
            }
        }

        var testCases = sink.TestCases.Where(c => c.TestMethod.TestClass.Class.Name != excludedClass.FullName).ToList();
        Console.WriteLine($"Running {testCases.Count} tests (thread pool: {MaxWorkerThreads()} worker threads at most).");
        using (var executor = framework.GetExecutor(assembly.GetName()))
        {
            executor.RunTests(testCases, sink, new Options());

            // The parent kills a hung child sooner; this bound is for a run started by hand.
            if (!sink.ExecutionDone.WaitOne(TimeSpan.FromMinutes(30 * Math.Max(1, Scale.Factor))))
            {
                Console.WriteLine("The run did not finish within its bound: hang.");
                return 3;
            }
        }

        var reported = sink.Passed + sink.Failed + sink.Skipped;
        if (reported != sink.TestsRun)
        {
            Console.WriteLine($"xunit ran {sink.TestsRun} tests but {reported} results were reported.");
            sink.Errors++;
        }

        Console.WriteLine($"{SummaryPrefix}{sink.Passed}, Failed: {sink.Failed + sink.Errors}, Skipped: {sink.Skipped}");
        return sink.Failed == 0 && sink.Errors == 0 && sink.Passed > 0 ? 0 : 1;
    }

    private static int MaxWorkerThreads()
    {
        ThreadPool.GetMaxThreads(out var workers, out _);
        return workers;
    }

    /// <summary>Discovery and execution options: xunit's defaults, which it reads through extension methods.</summary>
    private sealed class Options : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        private readonly Dictionary<string, object?> _values = new();

        public TValue GetValue<TValue>(string name) => _values.TryGetValue(name, out var value) && value is TValue typed ? typed : default!;

        public void SetValue<TValue>(string name, TValue value) => _values[name] = value;
    }

    private sealed class Sink : LongLivedMarshalByRefObject, IMessageSink
    {
        public List<ITestCase> TestCases { get; } = new();

        public ManualResetEvent DiscoveryDone { get; } = new(false);

        public ManualResetEvent ExecutionDone { get; } = new(false);

        public int Passed { get; private set; }

        public int Failed { get; private set; }

        public int Skipped { get; private set; }

        /// <summary>Failures outside any one test, and results that do not add up.</summary>
        public int Errors { get; set; }

        /// <summary>How many tests xunit says it ran, from its assembly-finished message.</summary>
        public int TestsRun { get; private set; }

        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestCaseDiscoveryMessage discovered:
                    TestCases.Add(discovered.TestCase);
                    break;
                case IDiscoveryCompleteMessage:
                    DiscoveryDone.Set();
                    break;
                case ITestPassed passed:
                    Passed++;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  passed  {passed.Test.DisplayName} ({passed.ExecutionTime:F1} s)"));
                    break;
                case ITestFailed failed:
                    Failed++;
                    Console.WriteLine($"  FAILED  {failed.Test.DisplayName}");
                    for (var i = 0; i < failed.Messages.Length; i++)
                    {
                        Console.WriteLine($"    {failed.ExceptionTypes[i]}: {failed.Messages[i]}");
                        Console.WriteLine(failed.StackTraces[i]);
                    }

                    Console.WriteLine(failed.Output);
                    break;
                case ITestSkipped skipped:
                    Skipped++;
                    Console.WriteLine($"  skipped {skipped.Test.DisplayName}: {skipped.Reason}");
                    break;
                case IFailureInformation failure:
                    // A failure outside any one test (a cleanup, a fixture, the assembly): counted as a failure.
                    Errors++;
                    Console.WriteLine($"  ERROR   {message.GetType().Name}: {string.Join(" | ", failure.Messages)}");
                    break;
                case ITestAssemblyFinished finished:
                    TestsRun = finished.TestsRun;
                    ExecutionDone.Set();
                    break;
            }

            return true;
        }
    }
}
