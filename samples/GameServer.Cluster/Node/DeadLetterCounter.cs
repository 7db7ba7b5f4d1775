using System.Collections.Concurrent;
using System.Collections.Generic;
using Akka.Actor;
using Akka.Event;

namespace GameServer.Cluster.Node;

/// <summary>
/// Counts the node's dead letters (and dropped and suppressed ones) by message type, keeping the sender and
/// recipient of the first of each type for the log; the report explains each type.
/// </summary>
internal sealed class DeadLetterCounter
{
    private readonly ConcurrentDictionary<string, long> _counts = new();
    private readonly ConcurrentDictionary<string, string> _examples = new();

    public IEnumerable<KeyValuePair<string, long>> Counts => _counts;

    /// <summary>Gets the sender and recipient of the first dead letter of a kind, to explain it.</summary>
    public string Example(string kind) => _examples.GetValueOrDefault(kind, string.Empty);

    public void Start(ActorSystem system)
    {
        var listener = system.ActorOf(Props.Create(() => new Listener(this)), "dead-letter-counter");
        system.EventStream.Subscribe(listener, typeof(AllDeadLetters));
    }

    private void Count(AllDeadLetters letter)
    {
        var type = letter.Message.GetType();
        var name = type.FullName ?? type.Name;
        _counts.AddOrUpdate(name, 1, (_, count) => count + 1);
        _examples.TryAdd(name, $"{letter.GetType().Name} from {letter.Sender.Path} to {letter.Recipient.Path}");
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(DeadLetterCounter counter)
        {
            Receive<AllDeadLetters>(letter => counter.Count(letter));
        }
    }
}
