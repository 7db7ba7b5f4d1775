using System.Collections.Concurrent;
using System.Collections.Generic;
using Akka.Actor;
using Akka.Event;

namespace GameServer.Cluster.Node;

/// <summary>Counts the node's dead letters (and dropped messages) by message type; the report explains each type.</summary>
internal sealed class DeadLetterCounter
{
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public IEnumerable<KeyValuePair<string, long>> Counts => _counts;

    public void Start(ActorSystem system)
    {
        var listener = system.ActorOf(Props.Create(() => new Listener(this)), "dead-letter-counter");
        system.EventStream.Subscribe(listener, typeof(AllDeadLetters));
    }

    private void Count(object message)
    {
        var name = message.GetType().FullName ?? message.GetType().Name;
        _counts.AddOrUpdate(name, 1, (_, count) => count + 1);
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(DeadLetterCounter counter)
        {
            Receive<AllDeadLetters>(letter => counter.Count(letter.Message));
        }
    }
}
