using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using GameServer.CommandLine;

namespace GameServer;

/// <summary>
/// The console flow that every mode of the sample shares: parse the options, print the usage text to
/// standard output for <c>--help</c> (exit code 0), or say what is wrong on standard error (exit code 2),
/// else run and print the report (exit code 0 when every invariant held, 1 when one failed).
/// </summary>
public static class SampleConsole
{
    /// <summary>The exit code for bad options.</summary>
    public const int BadOptions = 2;

    /// <summary>Parses, then runs or explains.</summary>
    /// <param name="parser">The mode's command line, bound to the options object that <paramref name="run"/> reads.</param>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="validate">Checks what no single option can; returns what is wrong, or <see langword="null"/>.</param>
    /// <param name="output">Standard output: usage text, progress, report.</param>
    /// <param name="error">Standard error: what is wrong with the options.</param>
    /// <param name="run">Runs the mode once the options are valid; returns the report's text and whether every invariant held.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(
        CommandLineParser parser,
        IReadOnlyList<string> args,
        Func<string?> validate,
        TextWriter output,
        TextWriter error,
        Func<Task<(string Text, bool Passed)>> run)
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(validate);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(run);
        if (!parser.TryParse(args, out var help, out var problem) || (!help && (problem = validate()) is not null))
        {
            await error.WriteLineAsync(problem);
            await error.WriteLineAsync("Run with --help for the options.");
            return BadOptions;
        }

        if (help)
        {
            await output.WriteAsync(parser.Usage);
            return 0;
        }

        var (text, passed) = await run();
        await output.WriteLineAsync();
        await output.WriteAsync(text);
        return passed ? 0 : 1;
    }
}
