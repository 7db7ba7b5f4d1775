namespace GameServer.Cluster.Entities;

/// <summary>
/// The message a shard sends its entities when the shard is handed off (rebalance, node leaving,
/// shutdown). The entity records why, from what its node is doing, and stops.
/// </summary>
internal sealed class HandOffStop
{
    private HandOffStop()
    {
    }

    public static HandOffStop Instance { get; } = new();
}
