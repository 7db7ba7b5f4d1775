namespace GameServer.Cluster.Entities;

/// <summary>A fault planted in the entity to show the invariant checks failing (hidden option <c>--fault</c>).</summary>
internal enum EntityFault
{
    /// <summary>No fault: the entity as it should be.</summary>
    None,

    /// <summary>
    /// The idle and request slots come from an owner the entity creates itself and never ends, instead of
    /// its incarnation's owner: their tokens outlive the incarnation (the hand-written bug Lifetime.Akka
    /// exists to prevent).
    /// </summary>
    DetachedOwner,
}
