using Akka.Configuration;

namespace GameServer.Cluster.Node;

/// <summary>The HOCON of a node: cluster provider on a free loopback port, split-brain resolver, sharding tuned for a short run.</summary>
internal static class ClusterConfig
{
    public const string SystemName = "game";

    public static Config Create() => ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          # Dead letters are counted by the node and explained in the report instead of logged.
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.provider = cluster
          remote.dot-netty.tcp {
            hostname = "127.0.0.1"
            port = 0
          }
          cluster {
            downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            split-brain-resolver {
              # The oldest node (the seed, never killed by the scenario) keeps the cluster; keep-majority
              # would let a 1-1 split be decided by address order.
              active-strategy = keep-oldest
              keep-oldest.down-if-alone = off
              stable-after = 3s
            }
            sharding {
              # Entities passivate themselves on their idle token; no second, automatic idle timer.
              passivate-idle-entity-after = off
              rebalance-interval = 2s
              least-shard-allocation-strategy {
                rebalance-absolute-limit = 10
                rebalance-relative-limit = 0.5
              }
              handoff-timeout = 20s
            }
          }
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        """);
}
