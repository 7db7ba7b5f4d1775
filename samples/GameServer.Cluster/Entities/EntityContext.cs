using System;
using System.Threading;
using GameServer.Cluster.Events;

namespace GameServer.Cluster.Entities;

/// <summary>What every entity of one node shares: its settings, the node's event log and what the node is doing.</summary>
internal sealed class EntityContext
{
    private long _incarnations;
    private volatile int _nodeState;

    public EntityContext(int node, NodeEventLog log, TimeSpan idleTimeout, TimeSpan requestTimeout, EntityFault fault)
    {
        Node = node;
        Log = log;
        IdleTimeout = idleTimeout;
        RequestTimeout = requestTimeout;
        Fault = fault;
    }

    public int Node { get; }

    public NodeEventLog Log { get; }

    /// <summary>Gets how long an entity lives without a heartbeat before it passivates.</summary>
    public TimeSpan IdleTimeout { get; }

    /// <summary>Gets the deadline of a request's token.</summary>
    public TimeSpan RequestTimeout { get; }

    public EntityFault Fault { get; }

    /// <summary>Gets why a shard hand-off on this node stops its entities now.</summary>
    public StopCause HandOffCause => _nodeState switch
    {
        1 => StopCause.HandedOff,
        2 => StopCause.Shutdown,
        _ => StopCause.Rebalanced,
    };

    /// <summary>Gets the next incarnation id of this node: "node.sequence".</summary>
    public string NextIncarnation() => FormattableString.Invariant($"{Node}.{Interlocked.Increment(ref _incarnations)}");

    /// <summary>Marks the node as leaving the cluster: from now on a hand-off is a hand-off, not a rebalance.</summary>
    public void OnLeaving() => _nodeState = 1;

    /// <summary>Marks the node as shutting down at the end of the run.</summary>
    public void OnShutdown() => _nodeState = 2;
}
