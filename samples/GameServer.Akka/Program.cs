using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using GameServer.Reporting;

namespace GameServer.Akka;

/// <summary>Entry point of the Akka mode: parses the options, runs server and bots, prints the report.</summary>
public static class Program
{
    /// <summary>Runs the sample's Akka mode on the console.</summary>
    /// <param name="args">Command-line options; <c>--help</c> lists them.</param>
    /// <returns>0 when every invariant held, 1 when one failed, 2 for bad options.</returns>
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error, terminal: !Console.IsOutputRedirected);

    /// <summary>Runs the Akka mode with the given streams.</summary>
    /// <param name="args">Command-line options; <c>--help</c> lists them.</param>
    /// <param name="output">Usage text, progress and report.</param>
    /// <param name="error">What is wrong with the options.</param>
    /// <param name="terminal">Whether <paramref name="output"/> is a terminal (the progress line is then rewritten in place).</param>
    /// <returns>0 when every invariant held, 1 when one failed, 2 for bad options.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, bool terminal)
    {
        var options = new AkkaRunOptions();
        return await SampleConsole.RunAsync(AkkaRunOptions.CreateParser(options), args, options.Run.Validate, output, error, async () =>
        {
            using var export = options.Run.Metrics ? ConsoleMetricsExport.Start("GameServer.Akka", options.Run.MetricsInterval) : null;
            var report = await AkkaLoadRunner.RunInProcessAsync(options, output, terminal && !options.Run.Metrics);
            return (report.Text, report.Passed);
        });
    }
}
