using System.Collections.Concurrent;
using System.Collections.Generic;
using Akka.Actor;
using Akka.Event;
using GameServer.Cluster.Entities;

namespace GameServer.Cluster.Node;

/// <summary>
/// Counts the node's dead letters (and dropped and suppressed ones) by message type, keeping the sender and
/// recipient of the first of each type for the log; the report explains each type.
/// </summary>
internal sealed class DeadLetterCounter
{
    /// <summary>Appended to the type of a dead <see cref="PlayerEntity.WorkDone"/> whose token had ended.</summary>
    public const string WorkDoneTokenEnded = " (token ended)";

    /// <summary>Appended to the type of a dead <see cref="PlayerEntity.WorkDone"/> whose token was still live.</summary>
    public const string WorkDoneTokenLive = " (token still live)";

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
        if (letter.Message is PlayerEntity.WorkDone done)
        {
            // A result that passed PipeToIfCurrent's check just before the stop carries a token the stop
            // ended; one whose token is still live belongs to an incarnation that did not end its tokens.
            name += done.Token.IsCancellationRequested ? WorkDoneTokenEnded : WorkDoneTokenLive;
        }

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
