using System;
using System.Threading.Tasks;
using GameServer.Cluster.Launcher;
using GameServer.Cluster.Node;

namespace GameServer.Cluster;

/// <summary>
/// Entry point. Without arguments (or with options) it is the launcher: it starts the node processes, the
/// bots and the scenario, and prints the report. With the hidden first argument <c>node</c> it is one node
/// process, started by the launcher.
/// </summary>
public static class Program
{
    /// <summary>Runs the launcher, or a node when the first argument is <c>node</c>.</summary>
    /// <param name="args">Command-line options; see <c>--help</c>.</param>
    /// <returns>0 when every invariant held, 1 when one failed, 2 for bad options.</returns>
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "node")
        {
            return await NodeHost.RunAsync(NodeOptions.Parse(args));
        }

        if (!ClusterOptions.TryParse(args, out var options, out var error))
        {
            if (error is null)
            {
                await Console.Out.WriteLineAsync(ClusterOptions.Usage);
                return 0;
            }

            await Console.Error.WriteLineAsync(error);
            await Console.Error.WriteLineAsync("Run with --help for the options.");
            return 2;
        }

        return await ScenarioRunner.RunAsync(options, Console.Out);
    }
}
