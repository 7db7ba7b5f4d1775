using System;
using System.Collections.Generic;
using System.Threading;

namespace Lifetime.Reliability.Tests.Model;

/// <summary>
/// The sequential model of one owner with <see cref="CallbackPlacement.Inline"/>: slots, the tokens they
/// handed out, deadlines, links (to external tokens and to its own tokens), throwing callbacks and where
/// their exceptions go, why each token ended, disposal and the end of life (guarantee 7 v2: the first of an
/// explicit disposal and the outer token firing decides). Written from the contract (docs/design.md) and the XML docs, not
/// from the code.
/// </summary>
public sealed class OwnerModel
{
    /// <summary>The wheel's tick: a deadline fires at the first tick at or after it.</summary>
    public static readonly long Tick = DeadlineWheel.TickLength.Ticks;

    private readonly bool _strict;

    public OwnerModel(bool strict, int externals)
    {
        _strict = strict;
        Retired.Add(false);
        Current.Add(null);
        ExternalCancelled = new bool[externals];
    }

    /// <summary>The owner is closed: disposed explicitly, or its life ended.</summary>
    public bool Disposed { get; private set; }

    /// <summary>The owner's life ended (its outer token fired) before any explicit disposal.</summary>
    public bool LifeEnded { get; private set; }

    public List<bool> Retired { get; } = new();

    public List<ModelToken?> Current { get; } = new();

    public List<ModelToken> Tokens { get; } = new();

    public bool[] ExternalCancelled { get; }

    /// <summary>Exceptions the reporter should have received.</summary>
    public int Reports { get; private set; }

    public int LiveTokens
    {
        get
        {
            var live = 0;
            foreach (var token in Tokens)
            {
                live += token.Cancelled ? 0 : 1;
            }

            return live;
        }
    }

    public Type? CreateSlot()
    {
        if (Disposed && !LifeEnded)
        {
            return typeof(ObjectDisposedException);
        }

        Retired.Add(false);
        Current.Add(null);
        return null;
    }

    /// <summary>Whether a renew of <paramref name="slot"/> is refused with <see cref="ObjectDisposedException"/>.</summary>
    public bool RefusesRenew(int slot) => Retired[slot] || (Disposed && !LifeEnded);

    /// <summary>Whether a renew of <paramref name="slot"/> answers with an already-cancelled token (no new source).</summary>
    public bool EndsRenew(int slot) => LifeEnded && !Retired[slot];

    /// <summary>A renew after the end of life: the token it returned, born ended, installed nowhere.</summary>
    public void RenewAfterEnd(ModelToken token)
    {
        token.Cancelled = true;
        token.Cause = TokenEndCause.OwnerEnded;
        Tokens.Add(token);
    }

    /// <summary>
    /// A renew that was accepted: installs <paramref name="next"/>, ends the previous token, and applies
    /// the timeout and links. Returns how many of the ended tokens' callbacks threw for the caller.
    /// </summary>
    public int Renew(ModelToken next, TimeSpan timeout, long now, IReadOnlyList<int>? externals, IReadOnlyList<int>? tokens, bool linksToCancelled, bool sourceCancelled = false)
    {
        var slot = next.Slot;
        var previous = Current[slot];
        Current[slot] = next;
        Tokens.Add(next);
        var bornEnded = timeout == TimeSpan.Zero;
        if (!bornEnded)
        {
            bornEnded = linksToCancelled;
            foreach (var external in externals ?? [])
            {
                bornEnded |= ExternalCancelled[external];
            }

            foreach (var id in tokens ?? [])
            {
                bornEnded |= Tokens[id].Cancelled;
            }
        }

        if (!bornEnded)
        {
            next.ExternalLinks.AddRange(externals ?? []);
            next.TokenLinks.AddRange(tokens ?? []);
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                next.Deadline = now + timeout.Ticks;
            }
        }

        var ended = new Queue<ModelToken>();
        var errors = previous is null ? 0 : EndForCaller(previous, ended, TokenEndCause.Renewed);
        if (sourceCancelled)
        {
            errors += EndForCaller(next, ended, TokenEndCause.Cancelled);
        }
        else if (bornEnded)
        {
            errors += EndForCaller(next, ended, timeout == TimeSpan.Zero ? TokenEndCause.TimedOut : TokenEndCause.LinkCancelled);
        }

        Cascade(ended);
        return errors;
    }

    public int CancelAndDispose(int slot, TokenEndCause cause = TokenEndCause.Cancelled)
    {
        if (Disposed || Current[slot] is not { } current)
        {
            return 0;
        }

        var ended = new Queue<ModelToken>();
        var errors = EndForCaller(current, ended, cause);
        Cascade(ended);
        return errors;
    }

    /// <summary>Returns (answer, errors for the caller).</summary>
    public (bool HadToken, int Errors) Touch(int slot, TimeSpan timeout, long now)
    {
        if (Disposed || Retired[slot] || Current[slot] is not { } current)
        {
            return (false, 0);
        }

        if (timeout == TimeSpan.Zero)
        {
            var ended = new Queue<ModelToken>();
            var errors = EndForCaller(current, ended, TokenEndCause.TimedOut);
            Cascade(ended);
            return (true, errors);
        }

        current.Deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : now + timeout.Ticks;
        return (true, 0);
    }

    public bool IsCurrent(int slot, ModelToken? token) => token is not null && Current[slot] == token && !token.Cancelled;

    public int CancelAll() => Disposed ? 0 : EndAll(TokenEndCause.CancelledAll);

    public int RetireSlot(int slot)
    {
        // After the end of life a retirement changes nothing: the slot's renews keep getting cancelled tokens.
        if (slot == 0 || Disposed || Retired[slot])
        {
            if (slot != 0 && Disposed && !LifeEnded)
            {
                Retired[slot] = true;
            }

            return 0;
        }

        Retired[slot] = true;
        return CancelAndDispose(slot, TokenEndCause.SlotDisposed);
    }

    public int Dispose()
    {
        if (Disposed)
        {
            return 0;
        }

        Disposed = true;
        return EndAll(TokenEndCause.OwnerDisposed);
    }

    /// <summary>
    /// The outer token fired: unless an explicit disposal came first, the owner's life ends, every token ends
    /// as <see cref="TokenEndCause.OwnerEnded"/>, and nobody awaits those ends (throwing callbacks are reported).
    /// </summary>
    public void EndOfLife()
    {
        if (Disposed)
        {
            return;
        }

        Disposed = true;
        LifeEnded = true;
        var ended = new Queue<ModelToken>();
        for (var slot = 0; slot < Current.Count; slot++)
        {
            if (Current[slot] is { } current)
            {
                EndForNobody(current, ended, TokenEndCause.OwnerEnded);
            }
        }

        Cascade(ended);
    }

    public void CancelExternal(int external)
    {
        ExternalCancelled[external] = true;
        var ended = new Queue<ModelToken>();
        foreach (var token in Tokens)
        {
            if (!token.Cancelled && token.ExternalLinks.Contains(external))
            {
                EndForNobody(token, ended, TokenEndCause.LinkCancelled);
            }
        }

        Cascade(ended);
    }

    /// <summary>
    /// Timeouts at <paramref name="now"/>: a deadline a whole tick past has fired; one within the last tick
    /// may or may not have (the wheel fires at its first tick at or after the deadline), and the observed
    /// state decides (and is then checked against the model like everything else).
    /// </summary>
    public void ResolveTimeouts(long now, Func<ModelToken, bool> observedCancelled)
    {
        var ended = new Queue<ModelToken>();
        foreach (var token in Tokens)
        {
            if (token.Cancelled || token.Deadline == long.MaxValue)
            {
                continue;
            }

            if (now >= token.Deadline + Tick)
            {
                EndForNobody(token, ended, TokenEndCause.TimedOut);
            }
            else if (now >= token.Deadline && observedCancelled(token))
            {
                EndForNobody(token, ended, TokenEndCause.TimedOut);
            }
        }

        Cascade(ended);
    }

    private int EndAll(TokenEndCause cause)
    {
        var ended = new Queue<ModelToken>();
        var errors = 0;
        for (var slot = 0; slot < Current.Count; slot++)
        {
            if (Current[slot] is { } current)
            {
                errors += EndForCaller(current, ended, cause);
            }
        }

        Cascade(ended);
        return errors;
    }

    /// <summary>Ended by the operation a caller awaits: a throwing callback goes to it in strict mode.</summary>
    private int EndForCaller(ModelToken token, Queue<ModelToken> ended, TokenEndCause cause)
    {
        End(token, ended, cause);
        if (!token.Throws)
        {
            return 0;
        }

        if (_strict)
        {
            return 1;
        }

        Reports++;
        return 0;
    }

    /// <summary>Ended by a timeout or a link: a throwing callback is reported in both modes.</summary>
    private void EndForNobody(ModelToken token, Queue<ModelToken> ended, TokenEndCause cause)
    {
        End(token, ended, cause);
        if (token.Throws)
        {
            Reports++;
        }
    }

    private void End(ModelToken token, Queue<ModelToken> ended, TokenEndCause cause)
    {
        token.Cancelled = true;
        token.Cause = cause;
        token.Deadline = long.MaxValue;
        if (Current[token.Slot] == token)
        {
            Current[token.Slot] = null;
        }

        ended.Enqueue(token);
    }

    /// <summary>Links of ended tokens fire after the operation, as messages behind it: nobody awaits them.</summary>
    private void Cascade(Queue<ModelToken> ended)
    {
        while (ended.TryDequeue(out var source))
        {
            foreach (var token in Tokens)
            {
                if (!token.Cancelled && token.TokenLinks.Contains(source.Id))
                {
                    EndForNobody(token, ended, TokenEndCause.LinkCancelled);
                }
            }
        }
    }
}
