using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Lifetime.Akka.Cluster.Tests;

/// <summary>
/// Puts a new shard on the node whose region asked for it (the node the first message was sent from), or on
/// any other region when that one is leaving; never rebalances. It makes "the entity lives on node N" a choice
/// of the spec instead of a guess.
/// </summary>
public sealed class RequesterAllocationStrategy : IShardAllocationStrategy
{
    public Task<IActorRef> AllocateShard(
        IActorRef requester,
        string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations) =>
        Task.FromResult(currentShardAllocations.ContainsKey(requester) ? requester : currentShardAllocations.Keys.First());

    public Task<IImmutableSet<string>> Rebalance(
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
        IImmutableSet<string> rebalanceInProgress) =>
        Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);
}
