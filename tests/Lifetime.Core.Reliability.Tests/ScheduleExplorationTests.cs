using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Reliability.Tests.Races;
using Lifetime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Lifetime.Reliability.Tests;

/// <summary>
/// The canonical races, each under at least 20,000 seeded schedules: random yields and spins at the
/// owner's hook points (after enqueue, before processing, before the drainer leaves, around Cancel, before
/// the reply, in Dispose) push each side into the other's windows. Every schedule checks the outcome,
/// that nothing hangs, and that every source was disposed exactly once.
/// </summary>
public sealed class ScheduleExplorationTests : ReliabilityTest
{
    private static readonly int s_schedules = Scale.Of(20_000);
    private static readonly ConditionalWeakTable<TokenOwner, StrongBox<int>> s_reports = new();

    // The base context posts to the thread pool: dispatched ends on pool threads, in no particular order.
    private static readonly SynchronizationContext s_poolContext = new();
    private static int s_lateDispatched;

    public ScheduleExplorationTests(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void RenewVersusDispose_SeededSchedules_RenewSucceedsThenEndsOrIsRefused()
    {
        Pass(nameof(RenewVersusDispose_SeededSchedules_RenewSucceedsThenEndsOrIsRefused), seed =>
        {
            var ledger = new LeakLedger();
            var owner = NewOwner(seed, ledger);
            return RenewVersusDispose(new OwnerRaceSubject(owner), ledger, syncDispose: seed % 3 == 0, () => Assert.Equal(0, Reports(owner)), () => OwnerState.Describe(owner));
        });
    }

    [Fact]
    public void RenewVersusDispose_NaiveOwnerPlanted_RaceReportsFailureWithSeed()
    {
        var result = RaceRunner.Run("planted naive owner", s_schedules, seed =>
        {
            var ledger = new LeakLedger(plantedLeaks: true);
            return RenewVersusDispose(new NaiveOwner(ledger), ledger, syncDispose: false, static () => { }, static () => "naive");
        });

        Output.WriteLine(result.Failure ?? "no failure");
        Assert.NotNull(result.Failure);
        Assert.Contains("LIFETIME_SEED=", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void RenewVersusCancelAndDispose_SeededSchedules_LiveExactlyWhenCurrent()
    {
        Pass(nameof(RenewVersusCancelAndDispose_SeededSchedules_LiveExactlyWhenCurrent), seed =>
        {
            var ledger = new LeakLedger();
            var owner = NewOwner(seed, ledger);
            var first = Sync.Wait(owner.RenewAsync());
            var second = default(CancellationToken);
            return new Race(
                () => second = Sync.Wait(owner.RenewAsync()),
                () => Sync.Wait(owner.CancelAndDisposeAsync()),
                () =>
                {
                    Assert.True(first.IsCancellationRequested, "The renewed-over token is still live.");
                    Assert.Equal(!second.IsCancellationRequested, owner.IsCurrent(second));
                    DisposeAndAudit(owner, ledger);
                    Assert.True(second.IsCancellationRequested);
                },
                () => OwnerState.Describe(owner));
        });
    }

    [Fact]
    public void RenewOwnedVersusDispose_SeededSchedules_SourceOwnedOrDisposedWithTheRefusal()
    {
        Pass(nameof(RenewOwnedVersusDispose_SeededSchedules_SourceOwnedOrDisposedWithTheRefusal), seed =>
        {
            var ledger = new LeakLedger();
            var owner = NewOwner(seed, ledger);
            var source = ledger.CreateForCaller();
            var token = default(CancellationToken);
            var refused = false;
            return new Race(
                () =>
                {
                    try
                    {
                        token = Sync.Wait(owner.RenewOwnedAsync(source));
                    }
                    catch (ObjectDisposedException)
                    {
                        refused = true;
                    }
                },
                () => Dispose(owner, seed),
                () =>
                {
                    Sync.Wait(owner.Completion);
                    if (refused)
                    {
                        // Ownership passed with the call: the refusal disposed it, without cancelling it.
                        Assert.False(source.IsCancellationRequested);
                    }
                    else
                    {
                        Assert.True(token.IsCancellationRequested);
                    }

                    Assert.Equal(1, source.DisposeCalls);
                    ledger.AssertBalanced();
                },
                () => OwnerState.Describe(owner));
        });
    }

    [Fact]
    public void TimeoutVersusRenew_SeededSchedules_StaleDeadlineNeverEndsTheNewToken()
    {
        Pass(nameof(TimeoutVersusRenew_SeededSchedules_StaleDeadlineNeverEndsTheNewToken), seed =>
        {
            var ledger = new LeakLedger();
            var time = new ManualTimeProvider();
            var owner = NewOwner(seed, ledger, time);
            var timed = Sync.Wait(owner.RenewAfterAsync(TimeSpan.FromMilliseconds(10)));
            var next = default(CancellationToken);
            var touched = false;
            var touch = seed % 2 == 0;
            return new Race(
                () => time.Advance(TimeSpan.FromMilliseconds(25)),
                () =>
                {
                    if (touch)
                    {
                        touched = Sync.Wait(owner.TouchAsync(TimeSpan.FromHours(1)));
                    }
                    else
                    {
                        next = Sync.Wait(owner.RenewAfterAsync(TimeSpan.FromHours(1)));
                    }
                },
                () =>
                {
                    if (touch)
                    {
                        // Touched in time: the deadline moved an hour on; too late: it had already ended.
                        Assert.Equal(touched, owner.IsCurrent(timed));
                        AssertEnded(timed, !touched, seed, afterRenew: false);
                    }
                    else
                    {
                        AssertEnded(timed, true, seed, afterRenew: true);
                        Assert.True(owner.IsCurrent(next), "The old token's deadline ended the new token.");
                    }

                    DisposeAndAudit(owner, ledger);
                    Assert.Equal(0, time.ArmedTimers);
                    Assert.Equal((0, false), owner.Wheel.Snapshot);
                },
                () => OwnerState.Describe(owner));
        });
    }

    [Fact]
    public void LinkVersusRenew_SeededSchedules_StaleLinkNeverEndsTheNewToken()
    {
        Pass(nameof(LinkVersusRenew_SeededSchedules_StaleLinkNeverEndsTheNewToken), seed =>
        {
            var ledger = new LeakLedger();
            var owner = NewOwner(seed, ledger);
            var external = new CancellationTokenSource();
            var other = new CancellationTokenSource();
            var linked = Sync.Wait(owner.RenewLinkedAsync(external.Token, other.Token));
            var next = default(CancellationToken);
            return new Race(
                external.Cancel,
                () => next = Sync.Wait(owner.RenewLinkedAsync(other.Token)),
                () =>
                {
                    AssertEnded(linked, true, seed, afterRenew: true);
                    Assert.True(owner.IsCurrent(next), "The old token's link ended the new token.");
                    Assert.Equal(1, RegistrationProbe.Count(other));
                    DisposeAndAudit(owner, ledger);
                    Assert.Equal(0, RegistrationProbe.Count(other));
                    external.Dispose();
                    other.Dispose();
                },
                () => OwnerState.Describe(owner));
        });
    }

    [Fact]
    public void CallbackRenews_SeededSchedules_AtMostOneLiveTokenAndEveryReplyArrives()
    {
        Pass(nameof(CallbackRenews_SeededSchedules_AtMostOneLiveTokenAndEveryReplyArrives), seed =>
        {
            var ledger = new LeakLedger();
            var owner = NewOwner(seed, ledger);
            var first = Sync.Wait(owner.RenewAsync());
            var callbacks = 0;
            Task<CancellationToken>? fromCallback = null;
            first.Register(() =>
            {
                Interlocked.Increment(ref callbacks);
                fromCallback = owner.RenewAsync().AsTask();
            });
            var second = default(CancellationToken);
            return new Race(
                () => Sync.Wait(owner.CancelAndDisposeAsync()),
                () => second = Sync.Wait(owner.RenewAsync()),
                () =>
                {
                    Assert.Equal(1, Volatile.Read(ref callbacks));
                    var third = Sync.Wait(Volatile.Read(ref fromCallback)!);
                    var live = 0;
                    foreach (var token in new[] { first, second, third })
                    {
                        Assert.Equal(!token.IsCancellationRequested, owner.IsCurrent(token));
                        live += token.IsCancellationRequested ? 0 : 1;
                    }

                    Assert.True(live <= 1, $"{live} live tokens in one slot.");
                    DisposeAndAudit(owner, ledger);
                },
                () => OwnerState.Describe(owner));
        });
    }

    [Fact]
    public void CallbackDisposes_SeededSchedules_NoHangAndEverythingEnds()
    {
        Pass(nameof(CallbackDisposes_SeededSchedules_NoHangAndEverythingEnds), seed =>
        {
            var ledger = new LeakLedger();
            var owner = NewOwner(seed, ledger);
            var first = Sync.Wait(owner.RenewAsync());
            var slot = owner.CreateSlot();
            var slotToken = Sync.Wait(slot.RenewAsync());
            first.Register(owner.Dispose);
            var second = default(CancellationToken);
            var refused = false;
            return new Race(
                () => Sync.Wait(seed % 2 == 0 ? owner.CancelAndDisposeAsync() : owner.CancelAllAsync()),
                () =>
                {
                    try
                    {
                        second = Sync.Wait(slot.RenewAsync());
                    }
                    catch (ObjectDisposedException)
                    {
                        refused = true;
                    }
                },
                () =>
                {
                    Sync.Wait(owner.Completion);
                    Assert.True(first.IsCancellationRequested && slotToken.IsCancellationRequested);
                    Assert.True(refused || second.IsCancellationRequested, "A token outlived its owner's disposal.");
                    Assert.Throws<ObjectDisposedException>(() => owner.RenewAsync());
                    ledger.AssertBalanced();
                    Assert.Equal(0, Reports(owner));
                },
                () => OwnerState.Describe(owner));
        });
    }

    /// <summary>
    /// Issue 10 as a race, with the dispatched placements only (ThreadPool; SynchronizationContext on a
    /// pump thread or on pool threads): a renew of the default slot against a second request that ends a
    /// token of that slot (another renew, CancelAndDispose, CancelAll, Touch(0)). Each side notes, as soon
    /// as its reply is back, which of the slot's tokens it knows are still live. Whatever the order, t0 (the
    /// token both find) is ended by then; and the side ordered second (its token or the other's is the
    /// one left current) must also see the first side's token ended. Order (a): an end whose dispatched
    /// Cancel() has not run yet, and a renew answered past it; order (b): a renew ending t0, then a second
    /// request (a renew or an end) ending the renew's token, whose own dispatched end finishes first.
    /// </summary>
    [Fact]
    public void RenewVersusEnd_DispatchedSeededSchedules_NoReplyWhileAnEndedTokenIsLive()
    {
        using var pump = new PumpContext();
        Pass(nameof(RenewVersusEnd_DispatchedSeededSchedules_NoReplyWhileAnEndedTokenIsLive), seed =>
        {
            var ledger = new LeakLedger();
            var placement = seed % 3 == 0 ? CallbackPlacement.ThreadPool : CallbackPlacement.SynchronizationContext;
            var owner = NewOwner(seed, ledger, placement: placement, context: seed % 3 == 1 ? pump : s_poolContext);
            var second = (seed / 3) % 4;
            var t0 = Sync.Wait(owner.RenewAsync());
            StrongBox<CancellationToken>? t1 = null;
            StrongBox<CancellationToken>? t2 = null;
            var seenByFirst = string.Empty;
            var seenBySecond = string.Empty;
            return new Race(
                () =>
                {
                    Volatile.Write(ref t1, new StrongBox<CancellationToken>(Sync.Wait(owner.RenewAsync())));
                    seenByFirst = Live(t0, "t0") + Live(Volatile.Read(ref t2)?.Value ?? default, "t2");
                },
                () =>
                {
                    switch (second)
                    {
                        case 0:
                            Volatile.Write(ref t2, new StrongBox<CancellationToken>(Sync.Wait(owner.RenewAsync())));
                            break;
                        case 1:
                            Sync.Wait(owner.CancelAndDisposeAsync());
                            break;
                        case 2:
                            Sync.Wait(owner.CancelAllAsync());
                            break;
                        default:
                            Sync.Wait(owner.TouchAsync(TimeSpan.Zero));
                            break;
                    }

                    seenBySecond = Live(t0, "t0") + Live(Volatile.Read(ref t1)?.Value ?? default, "t1");
                },
                () =>
                {
                    var secondKind = second switch { 0 => "renew", 1 => "CancelAndDispose", 2 => "CancelAll", _ => "Touch(0)" };

                    // Ordered second: the side whose token is current at the end, or (for an end) the side
                    // that ended the first side's token.
                    var firstLast = second == 0 ? owner.IsCurrent(t1!.Value) : !t1!.Value.IsCancellationRequested;
                    var bad = firstLast
                        ? seenByFirst.Length > 0
                        : seenBySecond.Length > 0;
                    // A renew answered past an end of t0 that had not run: order (a). The second side
                    // answered while the end of t0 by the renew ordered before it had not run, its own end
                    // having run first: order (b) (with a renew, or an end, as the second side).
                    var renewOrder = second == 0 ? "(b)" : "(a)";
                    Assert.False(seenByFirst.Contains("t0", StringComparison.Ordinal), $"Order {renewOrder}: the renew racing a {secondKind} answered while {seenByFirst.Trim()} was live.");
                    Assert.False(seenBySecond.Contains("t0", StringComparison.Ordinal), $"Order (b): the {secondKind} racing a renew answered while {seenBySecond.Trim()} was live.");
                    Assert.False(bad, $"Order (b): the side ordered second ({(firstLast ? "renew" : secondKind)}) answered while the token of the side ordered first was live ({(firstLast ? seenByFirst : seenBySecond).Trim()}).");
                    DisposeAndAudit(owner, ledger);
                },
                () => OwnerState.Describe(owner) + $" placement {placement}{(seed % 3 == 1 ? " (pump)" : seed % 3 == 2 ? " (pool context)" : "")}, second side {second}");
        });
    }

    [Fact]
    public void RenewsVersusEndOfLifeOrDispose_SeededSchedules_EndOfLifeNeverThrowsDisposeAlwaysRefuses()
    {
        Pass(nameof(RenewsVersusEndOfLifeOrDispose_SeededSchedules_EndOfLifeNeverThrowsDisposeAlwaysRefuses), seed => RenewsVersusEnd(seed, plantedV1Binding: false));
    }

    [Fact]
    public void RenewsVersusEndOfLife_V1BindingPlanted_RaceReportsRenewThatThrew()
    {
        // The planted double binds the owner to its outer token the v1 way, by disposing it when the token
        // fires: a renew racing that end throws, which guarantee 7 (v2) forbids.
        var result = RaceRunner.Run("planted v1 binding", s_schedules, seed => RenewsVersusEnd(seed, plantedV1Binding: true));

        Output.WriteLine(result.Failure ?? "no failure");
        Assert.NotNull(result.Failure);
        Assert.Contains("after the end of life", result.Failure, StringComparison.Ordinal);
    }

    /// <summary>
    /// Guarantee 7 (v2) under seeded schedules: one thread renews three times (sync or async form by the
    /// seed, RenewAfter, RenewLinked with no links and RenewOwned included, on the owner or a slot), the
    /// other ends the owner: its outer token fires, or an explicit Dispose/DisposeAsync, or the outer token
    /// fires then Dispose runs. After an end of life won, no renew throws (a late one gets a cancelled
    /// token, <see cref="TokenEndCause.OwnerEnded"/>); after an explicit disposal won, a renew that came
    /// after it throws <see cref="ObjectDisposedException"/>, and so does every later one. Nothing leaks, no
    /// registration stays on the outer token, and every RenewOwned source is disposed exactly once.
    /// </summary>
    private static Race RenewsVersusEnd(int seed, bool plantedV1Binding)
    {
        var ledger = new LeakLedger();
        var outer = new CancellationTokenSource();
        var owner = NewOwner(seed, ledger, outer: plantedV1Binding ? default : outer.Token);
        if (plantedV1Binding)
        {
            outer.Token.Register(owner.Dispose);
        }

        var random = new Random(seed);
        var slot = random.Next(2) == 0 ? null : owner.CreateSlot();
        var before = slot is null ? owner.Renew() : slot.Renew();
        var ending = random.Next(4);
        var sources = new LeakLedger.TrackedSource[3];
        var tokens = new CancellationToken[3];
        var refused = new bool[3];
        var kinds = new int[3];
        var syncs = new bool[3];
        for (var i = 0; i < 3; i++)
        {
            kinds[i] = random.Next(4);
            syncs[i] = random.Next(2) == 0;
            sources[i] = ledger.CreateForCaller();
        }

        CancellationToken RenewOne(int i)
        {
            var source = sources[i];
            return (kinds[i], syncs[i], slot) switch
            {
                (0, true, null) => owner.Renew(),
                (0, false, null) => Sync.Wait(owner.RenewAsync()),
                (1, true, null) => owner.RenewAfter(TimeSpan.FromMinutes(30)),
                (1, false, null) => Sync.Wait(owner.RenewAfterAsync(TimeSpan.FromMinutes(30))),
                (2, true, null) => owner.RenewLinked(),
                (2, false, null) => Sync.Wait(owner.RenewLinkedAsync()),
                (3, true, null) => owner.RenewOwned(source),
                (3, false, null) => Sync.Wait(owner.RenewOwnedAsync(source)),
                (0, true, { } s) => s.Renew(),
                (0, false, { } s) => Sync.Wait(s.RenewAsync()),
                (1, true, { } s) => s.RenewAfter(TimeSpan.FromMinutes(30)),
                (1, false, { } s) => Sync.Wait(s.RenewAfterAsync(TimeSpan.FromMinutes(30))),
                (2, true, { } s) => s.RenewLinkedAfter(TimeSpan.FromMinutes(30)),
                (2, false, { } s) => Sync.Wait(s.RenewLinkedAfterAsync(TimeSpan.FromMinutes(30))),
                (_, true, { } s) => s.RenewOwned(source),
                (_, _, { } s) => Sync.Wait(s.RenewOwnedAsync(source)),
                _ => throw new InvalidOperationException("unreachable"),
            };
        }

        string Describe() => OwnerState.Describe(owner) + $" ending {ending}, slot {(slot is null ? "default" : "created")}, kinds {string.Join(",", kinds)}, sync {string.Join(",", syncs)}, refused {string.Join(",", refused)}";

        return new Race(
            () =>
            {
                for (var i = 0; i < 3; i++)
                {
                    try
                    {
                        tokens[i] = RenewOne(i);
                    }
                    catch (ObjectDisposedException)
                    {
                        refused[i] = true;
                    }
                }
            },
            () =>
            {
                switch (ending)
                {
                    case 0:
                        outer.Cancel();
                        break;
                    case 1:
                        owner.Dispose();
                        break;
                    case 2:
                        Sync.Wait(owner.DisposeAsync());
                        break;
                    default:
                        outer.Cancel();
                        owner.Dispose();
                        break;
                }
            },
            () =>
            {
                try
                {
                    if (!owner.Completion.Wait(Bounded.Limit))
                    {
                        Assert.Fail("Completion never completed; " + Describe());
                    }

                    var lifeEnded = ending is 0 or 3;
                    var beforeCause = owner.GetEndCause(before);
                    Assert.True(beforeCause == TokenEndCause.Renewed || beforeCause == (lifeEnded ? TokenEndCause.OwnerEnded : TokenEndCause.OwnerDisposed), $"The first token ended as {beforeCause}{(lifeEnded ? " after the end of life" : "")}.");
                    var late = slot is null ? Capture(owner.Renew) : Capture(slot.Renew);
                    for (var i = 0; i < 3; i++)
                    {
                        if (lifeEnded)
                        {
                            Assert.False(refused[i], $"Renew {i} threw after the end of life.");
                            Assert.True(owner.GetEndCause(tokens[i]) is TokenEndCause.Renewed or TokenEndCause.OwnerEnded, $"Renew {i}'s token ended as {owner.GetEndCause(tokens[i])} after the end of life.");
                        }
                        else
                        {
                            Assert.True(!refused[i] || i == 2 || refused[i + 1], $"Renew {i} was refused, a later one was not.");
                            Assert.True(refused[i] || owner.GetEndCause(tokens[i]) is TokenEndCause.Renewed or TokenEndCause.OwnerDisposed, $"Renew {i}'s token ended as {owner.GetEndCause(tokens[i])} after an explicit disposal.");
                        }

                        Assert.True(refused[i] || tokens[i].IsCancellationRequested, $"Renew {i}'s token outlived the owner.");
                        if (kinds[i] == 3)
                        {
                            Assert.Equal(1, sources[i].DisposeCalls);
                        }
                        else
                        {
                            sources[i].Dispose();
                        }
                    }

                    // Decided for good: a renew now answers as the winner says.
                    if (lifeEnded)
                    {
                        Assert.True(late.Exception is null, $"A renew after the end of life threw {late.Exception}.");
                        Assert.True(late.Token.IsCancellationRequested && owner.GetEndCause(late.Token) == TokenEndCause.OwnerEnded, "A renew after the end of life did not get an ended token.");
                    }
                    else
                    {
                        Assert.IsType<ObjectDisposedException>(late.Exception);
                    }

                    ledger.AssertBalanced();
                    Assert.Equal(plantedV1Binding ? 1 : 0, RegistrationProbe.Count(outer));
                    Assert.Equal(0, Reports(owner));
                }
                finally
                {
                    outer.Dispose();
                    foreach (var source in sources)
                    {
                        if (source.DisposeCalls == 0)
                        {
                            source.Dispose();
                        }
                    }
                }
            },
            Describe);
    }

    private static (CancellationToken Token, Exception? Exception) Capture(Func<CancellationToken> renew)
    {
        try
        {
            return (renew(), null);
        }
#pragma warning disable CA1031 // The exception is the outcome checked.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (default, ex);
        }
    }

    /// <summary>" name" when <paramref name="token"/> is known and not cancelled now, else empty.</summary>
    private static string Live(CancellationToken token, string name) => token.CanBeCanceled && !token.IsCancellationRequested ? " " + name : string.Empty;

    private static Race RenewVersusDispose(IRaceSubject subject, LeakLedger ledger, bool syncDispose, Action extraChecks, Func<string> describe)
    {
        var before = Sync.Wait(subject.RenewAsync());
        var token = default(CancellationToken);
        var refused = false;
        return new Race(
            () =>
            {
                try
                {
                    token = Sync.Wait(subject.RenewAsync());
                }
                catch (ObjectDisposedException)
                {
                    refused = true;
                }
            },
            () =>
            {
                if (syncDispose)
                {
                    subject.Dispose();
                }
                else
                {
                    Sync.Wait(subject.DisposeAsync());
                }
            },
            () =>
            {
                if (!subject.Completion.Wait(Bounded.Limit))
                {
                    Assert.Fail("Completion never completed; " + describe());
                }

                Assert.True(before.IsCancellationRequested);
                Assert.True(refused || token.IsCancellationRequested, "A renew that succeeded outlived the disposal.");
                ledger.AssertBalanced();
                extraChecks();
            },
            describe);
    }

    /// <summary>
    /// A token that a timeout or a link ended while the renew (or touch) raced it. After a renew, with
    /// any placement, it reports cancellation when the renew returns (guarantee 3). After a touch with a
    /// dispatched placement nothing is promised: its cancellation may still be in flight on the pool, so
    /// this waits, bounded, and counts how often it was late.
    /// </summary>
    private static void AssertEnded(CancellationToken token, bool ended, int seed, bool afterRenew)
    {
        if (!ended)
        {
            Assert.False(token.IsCancellationRequested, "A touched token was ended.");
            return;
        }

        if (afterRenew || Placement(seed) == CallbackPlacement.Inline || token.IsCancellationRequested)
        {
            Assert.True(token.IsCancellationRequested, "The ended token does not report cancellation when the racing call returns.");
            return;
        }

        Interlocked.Increment(ref s_lateDispatched);
        Assert.True(SpinWait.SpinUntil(() => token.IsCancellationRequested, Bounded.Limit), "A dispatched cancellation never arrived.");
    }

    private static CallbackPlacement Placement(int seed) => (seed & 4) == 0 ? CallbackPlacement.Inline : CallbackPlacement.ThreadPool;

    private static TokenOwner NewOwner(int seed, LeakLedger ledger, TimeProvider? time = null, CallbackPlacement? placement = null, SynchronizationContext? context = null, CancellationToken outer = default)
    {
        var reports = new StrongBox<int>();
        var options = ledger.Options(time);
        options.OuterToken = outer;
        options.CallbackPlacement = placement ?? Placement(seed);
        options.CallbackContext = context;
        options.OnCancelException = _ => Interlocked.Increment(ref reports.Value);
        var owner = new TokenOwner(options);
        s_reports.AddOrUpdate(owner, reports);
        return owner;
    }

    private static int Reports(TokenOwner owner) => s_reports.TryGetValue(owner, out var box) ? Volatile.Read(ref box.Value) : 0;

    private static void Dispose(TokenOwner owner, int seed)
    {
        if (seed % 3 == 0)
        {
            owner.Dispose();
        }
        else
        {
            Sync.Wait(owner.DisposeAsync());
        }
    }

    private static void DisposeAndAudit(TokenOwner owner, LeakLedger ledger)
    {
        Sync.Wait(owner.DisposeAsync());
        Assert.True(owner.Completion.IsCompletedSuccessfully);
        ledger.AssertBalanced();
        Assert.Equal(0, Reports(owner));
    }

    private void Pass(string name, Func<int, Race> arrange)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var late = Volatile.Read(ref s_lateDispatched);
        var result = RaceRunner.Run(name, s_schedules, arrange);
        late = Volatile.Read(ref s_lateDispatched) - late;
        Figures.Record(Output, name, $"{result.Schedules} schedules, {result.HookHits} hook hits, {late} dispatched cancellations still in flight when a racing touch returned, {started.Elapsed.TotalSeconds:F1} s");
        Assert.True(result.Failure is null, result.Failure);
        Assert.True(result.HookHits >= result.Schedules, "The hooks were not reached: nothing was explored.");
    }
}
