using System;
using System.Threading.Tasks;

namespace GameServer;

/// <summary>Entry point: parses the options, runs the mode, prints the report.</summary>
public static class Program
{
    /// <summary>Runs the sample.</summary>
    /// <param name="args">Command-line options; see <see cref="RunOptions.Usage"/>.</param>
    /// <returns>0 when every invariant held, 1 when one failed, 2 for bad options.</returns>
    public static async Task<int> Main(string[] args)
    {
        if (!RunOptions.TryParse(args, out var options, out var error))
        {
            if (error != "help")
            {
                await Console.Error.WriteLineAsync(error);
            }

            await Console.Error.WriteLineAsync(RunOptions.Usage);
            return error == "help" ? 0 : 2;
        }

        var interactive = !Console.IsOutputRedirected;
        var report = options.Mode switch
        {
            RunMode.Server => await LoadRunner.RunServerAsync(options, Console.Out, interactive),
            RunMode.Bots => await LoadRunner.RunBotsAsync(options, Console.Out, interactive),
            _ => await LoadRunner.RunInProcessAsync(options, Console.Out, interactive),
        };

        await Console.Out.WriteLineAsync();
        await Console.Out.WriteAsync(report.Text);
        return report.Passed ? 0 : 1;
    }
}
