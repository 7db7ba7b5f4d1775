using System;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace Lifetime.Coyote.Tests.Infrastructure;

/// <summary>
/// Base of the Coyote tests: routes the owner's thread-pool work items to tasks the engine controls
/// (<see cref="ScheduleHooks.PoolQueue"/>), clears any planted fault, and reports every exploration.
/// </summary>
public abstract class CoyoteTest : IDisposable
{
    protected CoyoteTest(ITestOutputHelper output)
    {
        Output = output;
        ScheduleHooks.Planted = PlantedFault.None;
        ScheduleHooks.PoolQueue = static (callback, state) => _ = Task.Run(() => callback(state));
    }

    protected ITestOutputHelper Output { get; }

    public void Dispose()
    {
        ScheduleHooks.Planted = PlantedFault.None;
        ScheduleHooks.PoolQueue = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Explores <paramref name="test"/> and fails with the bug report and how to replay it if any schedule broke it.</summary>
    protected ExplorationResult Explore(string name, Func<Task> test, int iterations = Exploration.DefaultIterations)
    {
        var result = Exploration.Run(name, test, Exploration.Iterations(iterations));
        Output.WriteLine(result.Summary);
        Assert.True(result.Bugs == 0, result.Failure);
        return result;
    }

    /// <summary>Explores <paramref name="test"/> with <paramref name="fault"/> planted, expecting a bug; returns the run.</summary>
    private protected ExplorationResult ExplorePlanted(string name, PlantedFault fault, Func<Task> test, int iterations, uint? seed = null)
    {
        ScheduleHooks.Planted = fault;
        try
        {
            var result = Exploration.Run(name, test, (uint)iterations, seed);
            Output.WriteLine(result.Summary);
            Output.WriteLine(result.Report ?? string.Empty);
            return result;
        }
        finally
        {
            ScheduleHooks.Planted = PlantedFault.None;
        }
    }
}
