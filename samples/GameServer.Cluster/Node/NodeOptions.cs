using System;
using System.Globalization;
using GameServer.Cluster.Entities;

namespace GameServer.Cluster.Node;

/// <summary>The arguments the launcher gives a node process (<c>GameServer.Cluster node ...</c>); not meant for people.</summary>
internal sealed class NodeOptions
{
    public int Index { get; init; }

    /// <summary>Gets the seed node's Akka.Remote port, or 0 when this node is the seed.</summary>
    public int SeedPort { get; init; }

    public required string LogPath { get; init; }

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets how long a node waits for an entity's answer through the shard region.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(3);

    public int Shards { get; init; } = 30;

    public EntityFault Fault { get; init; }

    public string[] ToArguments() =>
    [
        "node",
        "--index", Index.ToString(CultureInfo.InvariantCulture),
        "--seed-port", SeedPort.ToString(CultureInfo.InvariantCulture),
        "--log", LogPath,
        "--idle-ms", ((long)IdleTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        "--request-ms", ((long)RequestTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        "--ask-ms", ((long)AskTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        "--shards", Shards.ToString(CultureInfo.InvariantCulture),
        "--fault", Fault.ToString(),
    ];

    /// <exception cref="ArgumentException">An argument is missing or malformed.</exception>
    public static NodeOptions Parse(string[] args)
    {
        string Value(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : throw new ArgumentException($"node: {name} is required.");
        }

        int Number(string name) => int.TryParse(Value(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new ArgumentException($"node: {name} must be a non-negative integer.");

        return new NodeOptions
        {
            Index = Number("--index"),
            SeedPort = Number("--seed-port"),
            LogPath = Value("--log"),
            IdleTimeout = TimeSpan.FromMilliseconds(Number("--idle-ms")),
            RequestTimeout = TimeSpan.FromMilliseconds(Number("--request-ms")),
            AskTimeout = TimeSpan.FromMilliseconds(Number("--ask-ms")),
            Shards = Number("--shards"),
            Fault = Enum.TryParse<EntityFault>(Value("--fault"), out var fault) ? fault : throw new ArgumentException("node: unknown --fault."),
        };
    }
}
