using BenchmarkDotNet.Running;

namespace Lifetime.Benchmarks;

/// <summary>
/// Runs the benchmarks: <c>dotnet run -c Release --project benchmarks/Lifetime.Benchmarks -- --filter '*'</c>;
/// or, with <c>slots</c> as the only argument, the slot memory and expiry program (<see cref="SlotProgram"/>);
/// with <c>paired</c>, the single-caller renews interleaved with the lock-based owner's (<see cref="PairedProgram"/>);
/// with <c>paired meter</c> (or <c>paired meter listening</c>), the synchronous renew with and without the meter's
/// recording sites, in one process.
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

        if (args is ["paired"])
        {
            PairedProgram.Run();
            return;
        }

        if (args is ["paired", "meter"] or ["paired", "meter", "listening"])
        {
            PairedProgram.RunMeter(listening: args.Length == 3);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
