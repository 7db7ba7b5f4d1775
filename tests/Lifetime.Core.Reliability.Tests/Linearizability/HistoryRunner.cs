using System;
using System.Collections.Generic;
using System.Threading;
using Lifetime.Reliability.Tests.Infrastructure;

namespace Lifetime.Reliability.Tests.Linearizability;

/// <summary>
/// Runs many short rounds: a fresh subject, a few lockstep threads each issuing a few random operations
/// on it at once, then the linearizability check of the round's history and the subject's leak audit.
/// Short rounds keep each history small enough to check exhaustively. As soon as an operation's reply is
/// back, its thread records which tokens handed out so far in the round are still live, so that the
/// checker can tell a reply that came while a token it (or an earlier request) ended was still live.
/// Renews, cancels, touches and cancel-alls are called in their synchronous or async form at random; in a
/// third of the rounds (by seed) the owner's outer token may also fire, racing the rest (its end of life).
/// </summary>
public static class HistoryRunner
{
    private static long s_clock;

    /// <summary>
    /// Runs rounds until <paramref name="targetOperations"/>. Each operation is called in its synchronous or
    /// async form at random; in a third of the rounds (by seed) the owner's end of life races the rest.
    /// </summary>
    public static HistoryRun Run(int threads, int opsPerThread, long targetOperations, Func<int, IConcurrentSubject> create, bool exploreSchedules)
    {
        var master = Scale.NewMasterSeed();
        using var driver = exploreSchedules ? new HookDriver() : null;
        using var lockstep = new Lockstep(threads);
        var operations = 0L;
        var round = 0;
        var failed = new Failures();
        var actions = new Action[threads];
        while (operations < targetOperations && (Scale.ReplaySeed is null || round == 0))
        {
            var seed = Scale.ReplaySeed ?? Scale.Derive(master, round);
            driver?.Reseed(seed);
            var subject = create(seed);
            var history = new HistoryEntry[threads * opsPerThread];
            var lastRenew = new HistoryEntry?[threads];
            var issued = new IssuedTokens(history.Length);
            var endLife = (uint)Scale.Derive(seed, 0x7EED) % 3 == 0;
            for (var t = 0; t < threads; t++)
            {
                var thread = t;
                actions[t] = () => Issue(subject, thread, opsPerThread, new Random(Scale.Derive(seed, thread + 1)), history, lastRenew, issued, endLife);
            }

            string? failure;
            try
            {
                lockstep.Run(actions);
                subject.Settle();
                foreach (var entry in history)
                {
                    if (entry.Kind is OpKind.Renew or OpKind.RenewAfter && entry.Outcome == Outcome.Ok && subject.IsEndOfLifeAnswer(entry.Token))
                    {
                        entry.Outcome = Outcome.Ended;
                    }
                }

                var cancelledAfter = new Dictionary<CancellationToken, bool>();
                foreach (var entry in history)
                {
                    if (entry.Kind is OpKind.Renew or OpKind.RenewAfter && entry.Outcome == Outcome.Ok)
                    {
                        cancelledAfter[entry.Token] = entry.Token.IsCancellationRequested;
                    }
                }

                failure = LinearizabilityChecker.Check(history, cancelledAfter);
                subject.Audit();
            }
#pragma warning disable CA1031 // Any exception (a hang, a wrong exception, a leak) fails the round.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex.ToString();
            }

            operations += history.Length;
            round++;
            if (failure is not null)
            {
                failure = $"Round {round - 1}, seed {seed} (replay: LIFETIME_SEED={seed}): {failure}";
                if (!Scale.KeepGoing)
                {
                    return new HistoryRun(round, operations, failure);
                }

                failed.Add(failure);
            }
        }

        return new HistoryRun(round, operations, failed.Summary(round, "rounds"));
    }

    private static void Issue(IConcurrentSubject subject, int thread, int count, Random random, HistoryEntry[] history, HistoryEntry?[] lastRenew, IssuedTokens issued, bool endLife)
    {
        for (var i = 0; i < count; i++)
        {
            var sync = random.Next(2) == 0;
            var roll = random.Next(endLife ? 104 : 100);
            var slot = random.Next(3);
            var entry = roll switch
            {
                < 30 => new HistoryEntry(thread, OpKind.Renew, slot),
                < 36 => new HistoryEntry(thread, OpKind.RenewAfter, slot),
                < 48 => new HistoryEntry(thread, OpKind.Cancel, slot),
                < 53 => new HistoryEntry(thread, OpKind.TouchZero, slot),
                < 58 => new HistoryEntry(thread, OpKind.TouchLonger, slot),
                < 86 => new HistoryEntry(thread, OpKind.IsCurrent, slot, PickToken(random, lastRenew)),
                < 92 => new HistoryEntry(thread, OpKind.CancelAll, 0),
                < 97 => new HistoryEntry(thread, OpKind.Retire, 1 + random.Next(2)),
                < 100 => new HistoryEntry(thread, OpKind.Dispose, 0),
                _ => new HistoryEntry(thread, OpKind.EndLife, 0),
            };
            entry.Sync = sync && entry.Kind is OpKind.Renew or OpKind.RenewAfter or OpKind.Cancel or OpKind.TouchZero or OpKind.TouchLonger or OpKind.CancelAll;

            entry.Invoked = Interlocked.Increment(ref s_clock);
            switch (entry.Kind)
            {
                case OpKind.Renew:
                case OpKind.RenewAfter:
                    try
                    {
                        entry.Token = entry.Sync ? subject.RenewSync(entry.Slot, entry.Kind == OpKind.RenewAfter) : subject.Renew(entry.Slot, entry.Kind == OpKind.RenewAfter);
                    }
                    catch (ObjectDisposedException)
                    {
                        entry.Outcome = Outcome.Disposed;
                    }

                    break;
                case OpKind.Cancel when entry.Sync:
                    subject.CancelSync(entry.Slot);
                    break;
                case OpKind.Cancel:
                    subject.Cancel(entry.Slot);
                    break;
                case OpKind.TouchZero:
                case OpKind.TouchLonger:
                    entry.Flag = entry.Sync ? subject.TouchSync(entry.Slot, entry.Kind == OpKind.TouchZero) : subject.Touch(entry.Slot, entry.Kind == OpKind.TouchZero);
                    break;
                case OpKind.IsCurrent:
                    entry.Flag = subject.IsCurrent(entry.Slot, entry.Argument);
                    break;
                case OpKind.CancelAll when entry.Sync:
                    subject.CancelAllSync();
                    break;
                case OpKind.CancelAll:
                    subject.CancelAll();
                    break;
                case OpKind.EndLife:
                    subject.EndLife();
                    break;
                case OpKind.Retire:
                    subject.Retire(entry.Slot);
                    break;
                default:
                    subject.Dispose();
                    break;
            }

            // The reply is back: first publish a new token, then see which tokens are still live. A token
            // live now was live when the reply came (cancellation is one-way).
            entry.Answered = Interlocked.Increment(ref s_clock);
            if (entry.Kind is OpKind.Renew or OpKind.RenewAfter && entry.Outcome == Outcome.Ok)
            {
                issued.Add(entry.Token);
            }

            entry.LiveAtReply = issued.Live();
            history[(thread * count) + i] = entry;
            if (entry.Kind is OpKind.Renew or OpKind.RenewAfter && entry.Outcome == Outcome.Ok)
            {
                Volatile.Write(ref lastRenew[thread], entry);
            }
        }
    }

    /// <summary>The tokens handed out in a round, in the order their renews answered; appended by any thread.</summary>
    private sealed class IssuedTokens
    {
        private readonly CancellationToken[] _tokens;
        private readonly bool[] _published;
        private int _count;

        public IssuedTokens(int capacity)
        {
            _tokens = new CancellationToken[capacity];
            _published = new bool[capacity];
        }

        public void Add(CancellationToken token)
        {
            var index = Interlocked.Increment(ref _count) - 1;
            _tokens[index] = token;
            Volatile.Write(ref _published[index], true);
        }

        /// <summary>The published tokens not cancelled now, or null when there is none.</summary>
        public CancellationToken[]? Live()
        {
            var count = Volatile.Read(ref _count);
            var live = 0;
            Span<int> indexes = stackalloc int[count];
            for (var i = 0; i < count; i++)
            {
                if (Volatile.Read(ref _published[i]) && !_tokens[i].IsCancellationRequested)
                {
                    indexes[live++] = i;
                }
            }

            if (live == 0)
            {
                return null;
            }

            var result = new CancellationToken[live];
            for (var i = 0; i < live; i++)
            {
                result[i] = _tokens[indexes[i]];
            }

            return result;
        }
    }

    /// <summary>A token some thread was handed (published after its renew answered), or none.</summary>
    private static CancellationToken PickToken(Random random, HistoryEntry?[] lastRenew) =>
        Volatile.Read(ref lastRenew[random.Next(lastRenew.Length)]) is { } entry ? entry.Token : default;
}
