namespace GameServer.Cluster.Events;

/// <summary>The kinds of lines in a node's event log. The name in the file is the lower-case enum name.</summary>
internal enum EventKind
{
    /// <summary>The node started: index, process id.</summary>
    Node,

    /// <summary>An entity incarnation started: entity id, incarnation id.</summary>
    Start,

    /// <summary>An entity incarnation's <c>PostStop</c> completed: entity id, incarnation id, stop cause, tokens still live.</summary>
    Stop,

    /// <summary>An incarnation's owner handed out a token: entity id, incarnation id, token number, slot.</summary>
    Issued,

    /// <summary>A token ended (its cancellation callback ran): entity id, incarnation id, token number, end cause.</summary>
    Ended,

    /// <summary>The node was told to leave or stop: leave or stop.</summary>
    Leaving,

    /// <summary>A snapshot of the Lifetime meter: live sources, live owners, renews, then cause=count pairs of ended tokens.</summary>
    Meter,

    /// <summary>Dead letters by message type at the time of writing: type, count.</summary>
    Dead,

    /// <summary>The node's actor system has terminated; the last line of a node that stopped gracefully.</summary>
    Exit,
}
