using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using Lifetime.Reliability.Tests.Infrastructure;
using Lifetime.Tests.Infrastructure;

namespace Lifetime.Reliability.Tests.Model;

/// <summary>
/// Model-checks one owner: random sequences of every operation (bad inputs included) are applied to a
/// real owner on a manual clock and to <see cref="OwnerModel"/>, comparing after every step what each
/// call returned or threw, every token's state, <see cref="TokenSlot.IsCurrent"/>, the number of live
/// sources, the reports and <see cref="TokenOwner.GetEndCause"/> of every token; each sequence ends with
/// a disposal and a leak audit. Renews, CancelAndDispose, Touch and CancelAll are called in their
/// synchronous or async form, by the seed, and must agree with the same model. The owner is bound to an
/// outer token the runner fires as a step (or, for a few seeds, before the first one), so the end of life
/// and an explicit disposal come in either order. The sequence is generated from its seed and the model
/// alone, so <c>LIFETIME_SEED</c> replays a failure exactly.
/// </summary>
public sealed class SequenceRunner
{
    private const int Externals = 3;

    private readonly int _seed;
    private readonly Sabotage _sabotage;
    private readonly Random _random;
    private readonly bool _strict;
    private readonly bool _throwingReporter;
    private readonly LeakLedger _ledger;
    private readonly ManualTimeProvider _time = new();
    private readonly CancellationTokenSource[] _externals = new CancellationTokenSource[Externals];
    private readonly CancellationTokenSource _cancelled = new();
    private readonly CancellationTokenSource _outer = new();
    private readonly List<TokenSlot> _slots = new();
    private readonly List<CancellationTokenSource> _ownedSources = new();
    private readonly List<string> _trace = new();
    private readonly OwnerModel _model;
    private readonly TokenOwner _owner;
    private int _reports;

    private SequenceRunner(int seed, Sabotage sabotage)
    {
        _seed = seed;
        _sabotage = sabotage;
        _ledger = new LeakLedger(plantedLeaks: sabotage != Sabotage.None);
        _random = new Random(seed);
        _strict = _random.Next(2) == 0;
        _throwingReporter = _random.Next(3) == 0;
        _model = new OwnerModel(_strict, Externals);
        for (var i = 0; i < Externals; i++)
        {
            _externals[i] = new CancellationTokenSource();
        }

        _cancelled.Cancel();
        var options = _ledger.Options(_time);
        options.ThrowOnCancelException = _strict;
        options.OnCancelException = _ =>
        {
            _reports++;
            if (_throwingReporter)
            {
                throw new InvalidOperationException("planted: the reporter throws");
            }
        };
        options.OuterToken = _outer.Token;

        // A few owners are born after their life ended (a Unity object destroyed before its owner was made).
        if (_random.Next(40) == 0)
        {
            _outer.Cancel();
            _model.EndOfLife();
        }

        _owner = new TokenOwner(options);
        _slots.Add(_owner.DefaultSlotForTests);
    }

    /// <summary>Runs <paramref name="sequences"/> sequences of at most <paramref name="maxLength"/> steps.</summary>
    public static SequenceResult Run(int sequences, int maxLength, Sabotage sabotage = Sabotage.None)
    {
        var master = Scale.NewMasterSeed();
        var operations = 0L;
        var count = Scale.ReplaySeed is null ? sequences : 1;
        for (var i = 0; i < count; i++)
        {
            var seed = Scale.ReplaySeed ?? Scale.Derive(master, i);
            var runner = new SequenceRunner(seed, sabotage);
            var failure = runner.RunOne(maxLength, ref operations);
            if (failure is not null)
            {
                return new SequenceResult(i + 1, operations, $"Sequence {i}, seed {seed} (replay: LIFETIME_SEED={seed}): {failure}");
            }
        }

        return new SequenceResult(count, operations, null);
    }

    private string? RunOne(int maxLength, ref long operations)
    {
        var length = 1 + _random.Next(maxLength);
        try
        {
            for (var i = 0; i < length; i++)
            {
                var step = Next();
                _trace.Add(step.ToString());
                Apply(step);
                CompareState();
                operations++;
            }

            _trace.Add("final DisposeOwner");
            Apply(new Step(StepKind.DisposeOwner));
            CompareState();
            Audit();
            return null;
        }
#pragma warning disable CA1031 // Any exception is a failed sequence, reported with its seed and steps.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"strict={_strict}, throwingReporter={_throwingReporter}, failed at step {_trace.Count - 1}:\n");
            for (var i = 0; i < _trace.Count; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {i}: {_trace[i]}\n");
            }

            text.Append(ex);
            return text.ToString();
        }
        finally
        {
            foreach (var external in _externals)
            {
                external.Dispose();
            }

            _cancelled.Dispose();
            _outer.Dispose();
        }
    }

    private Step Next()
    {
        var slot = _random.Next(_slots.Count);
        var timeout = _random.Next(Step.Timeouts.Length);
        var token = _model.Tokens.Count == 0 ? 0 : _random.Next(_model.Tokens.Count);
        var sync = _random.Next(2) == 0;
        var roll = _random.Next(101);
        return roll switch
        {
            < 5 => new Step(StepKind.CreateSlot),
            < 17 => new Step(StepKind.Renew, slot, sync: sync),
            < 27 => new Step(StepKind.RenewAfter, slot, timeout, sync: sync),
            < 35 => new Step(StepKind.RenewLinked, slot, timeout, PickLinks(), _random.Next(Externals), _random.Next(Externals), sync: sync),
            < 41 => new Step(StepKind.RenewLinkedAfter, slot, timeout, PickLinks(), _random.Next(Externals), _random.Next(Externals), sync: sync),
            < 47 => new Step(StepKind.RenewOwned, slot, source: (SourceChoice)(_random.Next(11) switch { < 7 => 0, 7 => 1, 8 => 2, 9 => 3, _ => 4 }), sync: sync),
            < 55 => new Step(StepKind.CancelAndDispose, slot, sync: sync),
            < 63 => new Step(StepKind.Touch, slot, timeout, sync: sync),
            < 73 => new Step(StepKind.IsCurrent, slot, target: token),
            < 76 => new Step(StepKind.CancelAll, sync: sync),
            < 79 => new Step(StepKind.RetireSlot, slot),
            < 81 => new Step(StepKind.RetireSlotSync, slot),
            < 82 => new Step(StepKind.DisposeOwner),
            < 83 => new Step(StepKind.DisposeOwnerSync),
            < 93 => new Step(StepKind.Advance, timeout: _random.Next(Step.Advances.Length)),
            < 96 => new Step(StepKind.CancelExternal, target: _random.Next(Externals)),
            < 100 => new Step(StepKind.AddThrowingCallback, target: token),
            _ => new Step(StepKind.FireOuter),
        };
    }

    private LinkChoice PickLinks() => _random.Next(20) switch
    {
        0 => LinkChoice.NullArray,
        < 3 => LinkChoice.EmptyArray,
        < 10 => LinkChoice.External,
        < 13 => LinkChoice.TwoExternals,
        < 15 => LinkChoice.None,
        < 17 => LinkChoice.Cancelled,
        _ => LinkChoice.IssuedToken,
    };

    private void Apply(Step step)
    {
        switch (step.Kind)
        {
            case StepKind.CreateSlot:
                var created = Capture(() => _slots.Add(_owner.CreateSlot()));
                Expect(step, _model.CreateSlot(), created);
                break;
            case StepKind.Renew:
            case StepKind.RenewAfter:
            case StepKind.RenewLinked:
            case StepKind.RenewLinkedAfter:
            case StepKind.RenewOwned:
                ApplyRenew(step);
                break;
            case StepKind.CancelAndDispose:
                var cancelled = Capture(() =>
                {
                    if ((_sabotage == Sabotage.SkipCancelOnSlots && step.Slot > 0) || (_sabotage == Sabotage.SkipSyncCancel && step.Sync))
                    {
                        return;
                    }

                    if (step.Sync)
                    {
                        if (step.Slot == 0)
                        {
                            _owner.CancelAndDispose();
                        }
                        else
                        {
                            _slots[step.Slot].CancelAndDispose();
                        }
                    }
                    else
                    {
                        Sync.Wait(step.Slot == 0 ? _owner.CancelAndDisposeAsync() : _slots[step.Slot].CancelAndDisposeAsync());
                    }
                });
                Expect(step, Errors(_model.CancelAndDispose(step.Slot)), cancelled);
                break;
            case StepKind.Touch:
                var touched = false;
                var touch = Capture(() => touched = step.Sync
                    ? (step.Slot == 0 ? _owner.Touch(step.TimeoutValue) : _slots[step.Slot].Touch(step.TimeoutValue))
                    : Sync.Wait(step.Slot == 0 ? _owner.TouchAsync(step.TimeoutValue) : _slots[step.Slot].TouchAsync(step.TimeoutValue)));
                if (!ValidTimeout(step.TimeoutValue))
                {
                    Expect(step, typeof(ArgumentOutOfRangeException), touch);
                    break;
                }

                var (hadToken, errors) = _model.Touch(step.Slot, step.TimeoutValue, _time.GetTimestamp());
                Expect(step, Errors(errors), touch);
                if (touch is null && touched != hadToken)
                {
                    Assert.Fail($"{step} returned {touched}, the model says {hadToken}.");
                }

                break;
            case StepKind.IsCurrent:
                var token = Token(step.Target);
                var real = token is { Known: true } && (step.Slot == 0 ? _owner.IsCurrent(token.Real) : _slots[step.Slot].IsCurrent(token.Real));
                var expected = token is { Known: true } && _model.IsCurrent(step.Slot, token);
                Assert.True(real == expected, $"{step} returned {real}, the model says {expected}.");
                break;
            case StepKind.CancelAll:
                Expect(step, Errors(_model.CancelAll()), Capture(() =>
                {
                    if (step.Sync)
                    {
                        _owner.CancelAll();
                    }
                    else
                    {
                        Sync.Wait(_owner.CancelAllAsync());
                    }
                }));
                break;
            case StepKind.RetireSlot:
            case StepKind.RetireSlotSync:
                var retired = Capture(() =>
                {
                    if (step.Kind == StepKind.RetireSlot)
                    {
                        Sync.Wait(_slots[step.Slot].DisposeAsync());
                    }
                    else
                    {
                        _slots[step.Slot].Dispose();
                    }
                });
                Expect(step, Errors(_model.RetireSlot(step.Slot)), retired);
                break;
            case StepKind.DisposeOwner:
            case StepKind.DisposeOwnerSync:
                var disposed = Capture(() =>
                {
                    if (_sabotage == Sabotage.SkipOwnerDispose)
                    {
                        return;
                    }

                    if (step.Kind == StepKind.DisposeOwner)
                    {
                        Sync.Wait(_owner.DisposeAsync());
                    }
                    else
                    {
                        _owner.Dispose();
                    }
                });
                Expect(step, Errors(_model.Dispose()), disposed);
                break;
            case StepKind.Advance:
                _time.Advance(Step.Advances[step.Timeout]);
                break;
            case StepKind.CancelExternal:
                // Guarantee 4: an owned token's throwing callback never reaches the external canceller.
                _externals[step.Target].Cancel();
                _model.CancelExternal(step.Target);
                break;
            case StepKind.FireOuter:
                if (_sabotage == Sabotage.EndOfLifeAsDispose)
                {
                    Capture(() => _owner.Dispose());
                }

                // Nobody awaits the end of life: a throwing callback is reported, never thrown at the canceller.
                _outer.Cancel();
                _model.EndOfLife();
                break;
            default:
                if (Token(step.Target) is { Known: true, Cancelled: false } target)
                {
                    target.Real.Register(static () => throw new InvalidOperationException("planted: a callback throws"));
                    target.Throws = true;
                }

                break;
        }
    }

    private void ApplyRenew(Step step)
    {
        var slot = step.Slot;
        var timeout = step.Kind is StepKind.RenewAfter or StepKind.RenewLinkedAfter ? step.TimeoutValue : Timeout.InfiniteTimeSpan;
        CancellationToken[]? links = null;
        List<int>? externalLinks = null;
        List<int>? tokenLinks = null;
        var linksToCancelled = false;
        if (step.Kind is StepKind.RenewLinked or StepKind.RenewLinkedAfter)
        {
            switch (step.Links)
            {
                case LinkChoice.NullArray:
                    break;
                case LinkChoice.EmptyArray:
                    links = [];
                    break;
                case LinkChoice.External:
                    links = [_externals[step.Target].Token];
                    externalLinks = [step.Target];
                    break;
                case LinkChoice.TwoExternals:
                    links = [_externals[step.Target].Token, _externals[step.Second].Token];
                    externalLinks = [step.Target, step.Second];
                    break;
                case LinkChoice.None:
                    links = [CancellationToken.None];
                    break;
                case LinkChoice.Cancelled:
                    links = [_cancelled.Token];
                    linksToCancelled = true;
                    break;
                default:
                    if (Token(step.Target) is { Known: true } issued)
                    {
                        links = [issued.Real];
                        tokenLinks = [issued.Id];
                    }
                    else
                    {
                        links = [CancellationToken.None];
                    }

                    break;
            }
        }

        LeakLedger.TrackedSource? source = null;
        if (step.Kind == StepKind.RenewOwned)
        {
            source = step.Source switch
            {
                SourceChoice.Null => null,
                SourceChoice.AlreadyOwned when _ownedSources.Count > 0 => (LeakLedger.TrackedSource)_ownedSources[_random.Next(_ownedSources.Count)],
                _ => _ledger.CreateForCaller(),
            };
            if (step.Source == SourceChoice.Disposed)
            {
                source!.Dispose();
            }
            else if (step.Source == SourceChoice.Cancelled)
            {
                source!.Cancel();
            }
        }

        var given = default(CancellationToken);
        _ = source is not null && Capture(() => given = source.Token) is null;
        var result = default(CancellationToken);
        var thrown = Capture(() => result = step.Sync ? RenewSync(step.Kind, slot, timeout, links, source) : Sync.Wait(step.Kind switch
        {
            StepKind.Renew => slot == 0 ? _owner.RenewAsync() : _slots[slot].RenewAsync(),
            StepKind.RenewAfter => slot == 0 ? _owner.RenewAfterAsync(timeout) : _slots[slot].RenewAfterAsync(timeout),
            StepKind.RenewLinked => slot == 0 ? _owner.RenewLinkedAsync(links!) : _slots[slot].RenewLinkedAsync(links!),
            StepKind.RenewLinkedAfter => slot == 0 ? _owner.RenewLinkedAfterAsync(timeout, links!) : _slots[slot].RenewLinkedAfterAsync(timeout, links!),
            _ => slot == 0 ? _owner.RenewOwnedAsync(source!) : _slots[slot].RenewOwnedAsync(source!),
        }));

        // Refused at the call site, in the documented order: arguments, then disposal, then ownership.
        Type? refusal = null;
        if (!ValidTimeout(timeout))
        {
            refusal = typeof(ArgumentOutOfRangeException);
        }
        else if (step.Kind is StepKind.RenewLinked or StepKind.RenewLinkedAfter && links is null)
        {
            refusal = typeof(ArgumentNullException);
        }
        else if (step.Kind == StepKind.RenewOwned && source is null)
        {
            refusal = typeof(ArgumentNullException);
        }
        else if (step.Kind == StepKind.RenewOwned && _ownedSources.Contains(source!))
        {
            refusal = typeof(InvalidOperationException);
        }
        else if (_model.RefusesRenew(slot))
        {
            refusal = typeof(ObjectDisposedException);
        }
        else if (step.Kind == StepKind.RenewOwned && step.Source == SourceChoice.Disposed)
        {
            refusal = typeof(ObjectDisposedException);
        }

        if (refusal is not null)
        {
            Expect(step, refusal, thrown);
            if (source is not null && !_ownedSources.Contains(source))
            {
                // Refused by a disposed owner or retired slot: ownership passed with the call, so the
                // owner disposed it. Refused as invalid input: still the caller's, untouched.
                Assert.False(source.IsCancellationRequested && step.Source != SourceChoice.Cancelled, "A refused source was cancelled.");
                if (refusal == typeof(ObjectDisposedException) && step.Source != SourceChoice.Disposed)
                {
                    Assert.Equal(1, source.DisposeCalls);
                }
                else if (source.DisposeCalls == 0)
                {
                    source.Dispose();
                }
            }

            return;
        }

        if (_model.EndsRenew(slot))
        {
            // Guarantee 7 (v2): after the end of life a renew is no bug: an already-cancelled token, no new
            // source; a source handed over is ended and disposed, and its token is the answer.
            Expect(step, null, thrown);
            Assert.True(result.IsCancellationRequested, $"{step} after the end of life returned a live token.");
            if (source is not null)
            {
                Assert.True(given == result, $"{step} after the end of life did not answer with the given source's token.");
                Assert.Equal(1, source.DisposeCalls);
            }

            _model.RenewAfterEnd(new ModelToken(_model.Tokens.Count, slot, result, known: true));
            return;
        }

        // Accepted. A strict-mode renew that threw still installed its token: read it from the slot.
        var known = thrown is null || source is not null;
        var real = thrown is null ? result : source is not null ? given : InstalledToken(slot);
        var next = new ModelToken(_model.Tokens.Count, slot, real, known || real.CanBeCanceled);
        var errors = _model.Renew(next, timeout, _time.GetTimestamp(), externalLinks, tokenLinks, linksToCancelled, step.Source == SourceChoice.Cancelled && source is not null);
        Expect(step, Errors(errors), thrown);
        if (source is not null)
        {
            _ownedSources.Add(source);
        }
    }

    private CancellationToken RenewSync(StepKind kind, int slot, TimeSpan timeout, CancellationToken[]? links, CancellationTokenSource? source)
    {
        var target = _slots[slot];
        return kind switch
        {
            StepKind.Renew => slot == 0 ? _owner.Renew() : target.Renew(),
            StepKind.RenewAfter => slot == 0 ? _owner.RenewAfter(timeout) : target.RenewAfter(timeout),
            StepKind.RenewLinked when links is { Length: 0 } => slot == 0 ? _owner.RenewLinked() : target.RenewLinked(),
            StepKind.RenewLinked => slot == 0 ? _owner.RenewLinked(links!) : target.RenewLinked(links!),
            StepKind.RenewLinkedAfter when links is { Length: 0 } => slot == 0 ? _owner.RenewLinkedAfter(timeout) : target.RenewLinkedAfter(timeout),
            StepKind.RenewLinkedAfter => slot == 0 ? _owner.RenewLinkedAfter(timeout, links!) : target.RenewLinkedAfter(timeout, links!),
            _ => slot == 0 ? _owner.RenewOwned(source!) : target.RenewOwned(source!),
        };
    }

    private CancellationToken InstalledToken(int slot) => _slots[slot].Source is { } source ? source.Token : default;

    private void CompareState()
    {
        var now = _time.GetTimestamp();
        _model.ResolveTimeouts(now, token => token.Known && token.Real.IsCancellationRequested);
        foreach (var token in _model.Tokens)
        {
            if (token.Known && token.Real.IsCancellationRequested != token.Cancelled)
            {
                var deadline = token.Deadline == long.MaxValue ? "none" : ((token.Deadline - now) / (double)TimeSpan.TicksPerMillisecond).ToString("F1", CultureInfo.InvariantCulture) + " ms from now";
                Assert.Fail($"Token {token.Id} (slot {token.Slot}, deadline {deadline}) is {(token.Real.IsCancellationRequested ? "cancelled" : "live")}; the model says {(token.Cancelled ? "cancelled" : "live")}.");
            }

            if (token.Known)
            {
                var current = token.Slot == 0 ? _owner.IsCurrent(token.Real) : _slots[token.Slot].IsCurrent(token.Real);
                Assert.True(current == _model.IsCurrent(token.Slot, token), $"IsCurrent(token {token.Id}) is {current}.");
                var cause = _owner.GetEndCause(token.Real);
                if (_sabotage == Sabotage.MislabelCancelAll && cause == TokenEndCause.CancelledAll)
                {
                    cause = TokenEndCause.Cancelled;
                }

                // A deadline and a link to a token that times out in the same clock step both fall due at once:
                // which the owner processes first is the order of the wheel's posts, which the model does not fix.
                var sameStep = cause is TokenEndCause.TimedOut or TokenEndCause.LinkCancelled && token.Cause is TokenEndCause.TimedOut or TokenEndCause.LinkCancelled;
                Assert.True(cause == token.Cause || sameStep, $"GetEndCause(token {token.Id}, slot {token.Slot}) is {cause}; the model says {token.Cause}.");
            }
        }

        Assert.True(_ledger.Live == _model.LiveTokens, $"{_ledger.Live} live sources; the model has {_model.LiveTokens} live tokens.");
        Assert.True(_reports == _model.Reports, $"{_reports} reports; the model expects {_model.Reports}.");
    }

    private void Audit()
    {
        Assert.True(_owner.Completion.IsCompletedSuccessfully, "Completion is not complete after DisposeAsync.");
        foreach (var token in _model.Tokens)
        {
            Assert.True(!token.Known || token.Real.IsCancellationRequested, $"Token {token.Id} outlived its owner.");
        }

        _ledger.AssertBalanced();
        Assert.Equal(0, _time.ArmedTimers);
        Assert.Equal((0, false), _owner.Wheel.Snapshot);
        foreach (var external in _externals)
        {
            Assert.Equal(0, RegistrationProbe.Count(external));
            Assert.Equal(TokenEndCause.Unknown, _owner.GetEndCause(external.Token));
        }

        Assert.Equal(0, RegistrationProbe.Count(_outer));
        Assert.Equal(TokenEndCause.Unknown, _owner.GetEndCause(CancellationToken.None));
    }

    private ModelToken? Token(int index) => index < _model.Tokens.Count ? _model.Tokens[index] : null;

    private static Type? Errors(int count) => count > 0 ? typeof(AggregateException) : null;

    private static bool ValidTimeout(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan || (timeout >= TimeSpan.Zero && timeout.TotalMilliseconds <= uint.MaxValue - 1.0);

    private static Exception? Capture(Action action)
    {
        try
        {
            action();
            return null;
        }
#pragma warning disable CA1031 // The exception is the outcome compared with the model.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex;
        }
    }

    private static void Expect(Step step, Type? expected, Exception? actual)
    {
        if (expected is null && actual is not null)
        {
            Assert.Fail($"{step} threw {actual.GetType().Name}; the model expects success.\n{actual}");
        }

        if (expected is not null && actual?.GetType() != expected)
        {
            Assert.Fail($"{step} {(actual is null ? "succeeded" : "threw " + actual.GetType().Name)}; the model expects {expected.Name}.");
        }
    }
}
