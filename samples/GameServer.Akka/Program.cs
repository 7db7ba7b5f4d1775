using System;
using System.Threading.Tasks;

namespace GameServer.Akka;

/// <summary>Entry point of the Akka mode: parses the options, runs server and bots, prints the report.</summary>
public static class Program
{
    /// <summary>Runs the sample's Akka mode.</summary>
    /// <param name="args">Command-line options; see <see cref="AkkaRunOptions.Usage"/>.</param>
    /// <returns>0 when every invariant held, 1 when one failed, 2 for bad options.</returns>
    public static async Task<int> Main(string[] args)
    {
        if (!AkkaRunOptions.TryParse(args, out var options, out var error))
        {
            if (error != "help")
            {
                await Console.Error.WriteLineAsync(error);
            }

            await Console.Error.WriteLineAsync(AkkaRunOptions.Usage);
            return error == "help" ? 0 : 2;
        }

        var report = await AkkaLoadRunner.RunInProcessAsync(options, Console.Out, !Console.IsOutputRedirected);
        await Console.Out.WriteLineAsync();
        await Console.Out.WriteAsync(report.Text);
        return report.Passed ? 0 : 1;
    }
}
