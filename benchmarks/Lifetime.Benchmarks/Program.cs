using BenchmarkDotNet.Running;

namespace Lifetime.Benchmarks;

/// <summary>
/// Runs the benchmarks: <c>dotnet run -c Release --project benchmarks/Lifetime.Benchmarks -- --filter '*'</c>;
/// or, with <c>slots</c> as the only argument, the slot memory and expiry program (<see cref="SlotProgram"/>).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["slots"])
        {
            SlotProgram.Run();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
