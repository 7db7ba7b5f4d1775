using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using GameServer.Reporting;

namespace GameServer;

/// <summary>Entry point: parses the options, runs the mode, prints the report.</summary>
public static class Program
{
    /// <summary>Runs the sample on the console.</summary>
    /// <param name="args">Command-line options; <c>--help</c> lists them.</param>
    /// <returns>0 when every invariant held, 1 when one failed, 2 for bad options.</returns>
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error, terminal: !Console.IsOutputRedirected);

    /// <summary>Runs the sample with the given streams.</summary>
    /// <param name="args">Command-line options; <c>--help</c> lists them.</param>
    /// <param name="output">Usage text, progress and report.</param>
    /// <param name="error">What is wrong with the options.</param>
    /// <param name="terminal">Whether <paramref name="output"/> is a terminal (the progress line is then rewritten in place).</param>
    /// <returns>0 when every invariant held, 1 when one failed, 2 for bad options.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, bool terminal)
    {
        var options = new RunOptions();
        return await SampleConsole.RunAsync(RunOptions.CreateParser(options), args, options.Validate, output, error, async () =>
        {
            using var export = options.Metrics ? ConsoleMetricsExport.Start("GameServer", options.MetricsInterval) : null;

            // The exporter writes to the console too; plain progress lines keep the two apart.
            var interactive = terminal && !options.Metrics;
            var report = options.Mode switch
            {
                RunMode.Server => await LoadRunner.RunServerAsync(options, output, interactive),
                RunMode.Bots => await LoadRunner.RunBotsAsync(options, output, interactive),
                _ => await LoadRunner.RunInProcessAsync(options, output, interactive),
            };
            return (report.Text, report.Passed);
        });
    }
}
