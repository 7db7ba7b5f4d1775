using System;
using System.Threading;
using System.Threading.Tasks;
using Lifetime.Coyote.Tests.Infrastructure;

namespace Lifetime.Coyote.Tests;

/// <summary>
/// The canonical races as controlled tests: each runs its sides as tasks the engine interleaves, checks the
/// contract (docs/design.md, guarantees 2, 3 and 7) by assertion at every reply, and ends with an audit of
/// the sources. Every call is made in its synchronous or async form by a controlled choice.
/// </summary>
public static class Races
{
    /// <summary>The cleanup calls that end a slot's token without a new one, raced against a renew.</summary>
    public enum Ending
    {
        CancelAndDispose,
        CancelAll,
        TouchZero,
    }

    /// <summary>
    /// Renew ‖ Renew on a slot with a live t0: at each reply t0 is ended (guarantee 3), and at the reply of
    /// the renew ordered second, the first one's token is ended too (it was that renew's previous token).
    /// </summary>
    public static async Task RenewVersusRenew(CallbackPlacement placement)
    {
        var subject = new Subject(placement);
        var t0 = await subject.RenewAsync();
        var tokens = new CancellationToken?[2];
        var otherEndedAtReply = new bool?[2];
        async Task Side(int i)
        {
            var token = await subject.RenewAsync();
            subject.Check(t0.IsCancellationRequested, $"renew {i} answered while t0 was live");
            tokens[i] = token;
            otherEndedAtReply[i] = tokens[1 - i]?.IsCancellationRequested;
        }

        await Task.WhenAll([Task.Run(() => Side(0)), Task.Run(() => Side(1))]);
        var second = subject.Owner.IsCurrent(tokens[1]!.Value) ? 1 : 0;
        subject.Check(subject.Owner.IsCurrent(tokens[second]!.Value), "neither renew's token is current");
        subject.Check(tokens[1 - second]!.Value.IsCancellationRequested, "the renew ordered first kept a live token");
        subject.Check(otherEndedAtReply[second] is not false, "the renew ordered second answered while the first one's token was live");
        await subject.AuditAsync();
    }

    /// <summary>
    /// A renew ‖ a call that ends the slot's token (CancelAndDispose, CancelAll, Touch(0)), t0 live: at both
    /// replies t0 is ended; if the ending call came second, the renew's token is ended at its reply; if it
    /// came first, the renew's token is live at the end. Issue 10 item 0 was this race on the dispatched
    /// placements: the renew answered while t0, detached by the ending call, was still live.
    /// </summary>
    public static async Task RenewVersusEnding(CallbackPlacement placement, Ending ending)
    {
        var subject = new Subject(placement);
        var t0 = await subject.RenewAsync();
        CancellationToken? t1 = null;
        bool? t1EndedAtEndingReply = null;
        async Task End()
        {
            await EndAsync(subject, ending);
            subject.Check(t0.IsCancellationRequested, $"{ending} answered while t0 was live");
            t1EndedAtEndingReply = t1?.IsCancellationRequested;
        }

        async Task Renew()
        {
            var token = await subject.RenewAsync();
            subject.Check(t0.IsCancellationRequested, $"the renew racing {ending} answered while t0 was live (guarantee 3)");
            t1 = token;
        }

        await Task.WhenAll([Task.Run(End), Task.Run(Renew)]);
        var endingCameSecond = !subject.Owner.IsCurrent(t1!.Value);
        subject.Check(!endingCameSecond || t1.Value.IsCancellationRequested, "the renew's token is neither current nor ended");
        subject.Check(!endingCameSecond || t1EndedAtEndingReply is not false, $"{ending}, ordered after the renew, answered while the renew's token was live");
        await subject.AuditAsync();
    }

    /// <summary>
    /// Renew (or RenewOwned) ‖ Dispose: the renew either gets a token that the disposal then ends, or is
    /// refused with <see cref="ObjectDisposedException"/> (a given source then disposed by the owner); t0 is
    /// ended at every reply; a renew after the race is refused; every source is disposed exactly once.
    /// </summary>
    public static async Task RenewVersusDispose(CallbackPlacement placement)
    {
        var subject = new Subject(placement);
        var t0 = await subject.RenewAsync();
        var owned = subject.Coin();
        CancellationToken? t1 = null;
        var refused = false;
        async Task Renew()
        {
            try
            {
                if (owned)
                {
                    var source = subject.Counter.CreateForCaller();
                    var sync = subject.Form();
                    subject.Note(sync ? "sync RenewOwned" : "RenewOwnedAsync");
                    t1 = sync ? subject.Owner.RenewOwned(source) : await subject.Owner.RenewOwnedAsync(source);
                }
                else
                {
                    t1 = await subject.RenewAsync();
                }

                subject.Check(t0.IsCancellationRequested, "the renew racing Dispose answered while t0 was live");
            }
            catch (ObjectDisposedException)
            {
                refused = true;
            }
        }

        async Task Dispose()
        {
            var promisesEnded = await subject.DisposeAsync();
            subject.Check(!promisesEnded || t0.IsCancellationRequested, "Dispose answered while t0 was live");
        }

        await Task.WhenAll([Task.Run(Renew), Task.Run(Dispose)]);
        // A synchronous Dispose() with a dispatched placement may return before its cancellations ran.
        await subject.Owner.Completion;
        subject.Check(refused != t1.HasValue, "the renew neither answered nor was refused");
        subject.Check(t1 is not { } t || t.IsCancellationRequested, "a token handed out before the disposal is live after it");
        subject.Check(t1 is not { } u || subject.Owner.GetEndCause(u) == TokenEndCause.OwnerDisposed, "the renew's token did not end OwnerDisposed");
        var after = false;
        try
        {
            _ = await subject.Owner.RenewAsync();
        }
        catch (ObjectDisposedException)
        {
            after = true;
        }

        subject.Check(after, "a renew after the disposal was not refused");
        await subject.AuditAsync();
    }

    /// <summary>
    /// Renews of every variant ‖ the end of life (the outer token fires), or ‖ Dispose, or both: after an end
    /// of life no renew throws, and every token ends Renewed or OwnerEnded; at every reply the slot's previous
    /// token is ended; after an explicit disposal only, a refused renew is followed by refused ones; every
    /// source, the caller's given to RenewOwned included, is disposed exactly once.
    /// </summary>
    public static async Task RenewsVersusEndOfLife(CallbackPlacement placement)
    {
        var subject = new Subject(placement, bindOuter: true) { SyncRenews = false };
        var slot = subject.Coin() ? subject.Owner.DefaultSlotForTests : subject.Owner.CreateSlot();
        var how = subject.Choose(3); // 0: end of life, 1: Dispose, 2: end of life then Dispose
        var tokens = new CancellationToken[2];
        var answered = 0;
        var refused = 0;
        async Task Renews()
        {
            CancellationToken previous = default;
            for (var i = 0; i < 2; i++)
            {
                try
                {
                    tokens[answered] = await subject.RenewAnyAsync(slot);
                    subject.Check(refused == 0, "a renew answered after one was refused");
                    subject.Check(answered == 0 || previous.IsCancellationRequested, "a renew answered while the slot's previous token was live");
                    previous = tokens[answered++];
                }
                catch (ObjectDisposedException)
                {
                    subject.Check(how != 0, "a renew racing the end of life threw ObjectDisposedException");
                    refused++;
                }
            }
        }

        async Task End()
        {
            if (how != 1)
            {
                subject.Note("outer token fires");
                subject.Outer.Cancel();
            }

            if (how != 0)
            {
                await subject.DisposeAsync();
            }
        }

        await Task.WhenAll([Task.Run(Renews), Task.Run(End)]);
        await subject.Owner.Completion;
        for (var i = 0; i < answered; i++)
        {
            var cause = subject.Owner.GetEndCause(tokens[i]);
            subject.Check(tokens[i].IsCancellationRequested, $"token {i} is live after the end");
            subject.Check(
                cause is TokenEndCause.Renewed or TokenEndCause.OwnerEnded || (how == 1 && cause == TokenEndCause.OwnerDisposed),
                $"token {i} ended {cause}");
        }

        await subject.AuditAsync();
    }

    /// <summary>
    /// A slot's retirement, then a renew of it ‖ the end of life, then a renew of the default slot. A renew
    /// after the end of life fired, or of the retired slot, never gets a live token; when the retirement
    /// ended the slot's token (SlotDisposed: processed before the end), the renew of the slot is refused.
    /// </summary>
    /// <remarks>
    /// Not the converse: a retirement requested while the mailbox was open and processed after the end of
    /// life leaves the slot's token to the end (OwnerEnded) and still refuses the slot's later renews, which
    /// came after the caller retired it (docs/reliability.md, after bug 12).
    /// </remarks>
    public static async Task RetireVersusEndOfLife(CallbackPlacement placement)
    {
        var subject = new Subject(placement, bindOuter: true) { SyncRenews = false };
        var slot = subject.Owner.CreateSlot();
        var t0 = await subject.RenewAsync(slot);
        var refused = false;
        CancellationToken afterRetire = default;
        async Task Retire()
        {
            var sync = subject.Form();
            subject.Note(sync ? "sync slot Dispose" : "slot DisposeAsync");
            if (sync)
            {
                slot.Dispose();
            }
            else
            {
                await slot.DisposeAsync();
            }

            try
            {
                afterRetire = await subject.RenewAsync(slot);
            }
            catch (ObjectDisposedException)
            {
                refused = true;
            }
        }

        async Task End()
        {
            subject.Note("outer token fires");
            subject.Outer.Cancel();
            var token = await subject.RenewAsync();
            subject.Check(token.IsCancellationRequested, "a renew after the end of life fired got a live token");
        }

        await Task.WhenAll([Task.Run(Retire), Task.Run(End)]);
        await subject.Owner.Completion;
        var cause = subject.Owner.GetEndCause(t0);
        subject.Check(cause is TokenEndCause.SlotDisposed or TokenEndCause.OwnerEnded, $"t0 ended {cause}");
        subject.Check(refused || cause != TokenEndCause.SlotDisposed, "the renew of the retired slot answered, but the retirement, before the end, ended its token");
        subject.Check(refused || afterRetire.IsCancellationRequested, "the renew of the retired slot got a live token");
        await subject.AuditAsync();
    }

    /// <summary>
    /// An ending of the default slot's t0 ‖ the end of life, then the retirement of another slot by the same
    /// thread: every order puts the end of life, which ends every token, before that retirement, so t0 is
    /// ended at the retirement's reply, even when the ending had already taken t0 off its slot and its
    /// dispatched cancel was still to run when the end of life was processed. (Found by the linearizability
    /// history test: a request posted after the end of life was sent, processed after it, answered at once.)
    /// </summary>
    public static async Task EndingVersusEndOfLife(CallbackPlacement placement, Ending ending)
    {
        var subject = new Subject(placement, bindOuter: true);
        var other = subject.Owner.CreateSlot();
        var t0 = await subject.RenewAsync();
        async Task EndLifeThenRetire()
        {
            subject.Note("outer token fires");
            subject.Outer.Cancel();

            // DisposeAsync: the synchronous Dispose of a slot does not wait for dispatched callbacks.
            subject.Note("slot DisposeAsync");
            await other.DisposeAsync();
            subject.Check(t0.IsCancellationRequested, "a slot's retirement, sent after the end of life, answered while t0 was live");
        }

        await Task.WhenAll([Task.Run(() => EndAsync(subject, ending)), Task.Run(EndLifeThenRetire)]);
        await subject.Owner.Completion;
        await subject.AuditAsync();
    }

    /// <summary>
    /// A deadline (the wheel, on the manual clock) or a link firing ‖ a renew: the slot's t0 is ended at the
    /// renew's reply, it ends TimedOut/LinkCancelled or Renewed, and the renew's token is live at the end.
    /// </summary>
    public static async Task TriggerVersusRenew(CallbackPlacement placement, bool link)
    {
        var subject = new Subject(placement);
        using var external = new CancellationTokenSource();
        var sync = subject.Form();
        subject.Note(link ? "RenewLinked" : "RenewAfter(1 s)");
        var t0 = link
            ? sync ? subject.Owner.RenewLinked(external.Token) : await subject.Owner.RenewLinkedAsync(external.Token)
            : sync ? subject.Owner.RenewAfter(TimeSpan.FromSeconds(1)) : await subject.Owner.RenewAfterAsync(TimeSpan.FromSeconds(1));
        CancellationToken t1 = default;
        async Task Renew()
        {
            t1 = await subject.RenewAsync();
            subject.Check(t0.IsCancellationRequested, "the renew racing a trigger answered while t0 was live");
        }

        void Fire()
        {
            if (link)
            {
                external.Cancel();
            }
            else
            {
                subject.Time.Advance(TimeSpan.FromSeconds(2));
            }
        }

        await Task.WhenAll([Task.Run(Renew), Task.Run(Fire)]);
        var cause = subject.Owner.GetEndCause(t0);
        subject.Check(cause is TokenEndCause.Renewed or TokenEndCause.TimedOut or TokenEndCause.LinkCancelled, $"t0 ended {cause}");
        subject.Check(subject.Owner.IsCurrent(t1), "the renew's token was ended by the trigger of t0");
        await subject.AuditAsync();
    }

    /// <summary>
    /// A cancellation callback of t0 calls back into its owner (a renew, or a dispose) while another task
    /// renews: nothing deadlocks, the callback's call completes, and the sources balance.
    /// </summary>
    public static async Task CallbackReentry(CallbackPlacement placement, bool disposeFromCallback)
    {
        var subject = new Subject(placement);
        var t0 = await subject.RenewAsync();
        // The calls' own ValueTasks, awaited below as they are: AsTask would continue on a pool thread the
        // engine does not control (the replies run their continuations asynchronously).
        ValueTask? disposal = null;
        ValueTask<CancellationToken>? renewal = null;
        t0.Register(() =>
        {
            if (disposeFromCallback)
            {
                disposal = subject.Owner.DisposeAsync();
            }
            else
            {
                renewal = subject.Owner.RenewAsync();
            }
        });
        async Task Renew()
        {
            try
            {
                _ = await subject.RenewAsync();
                subject.Check(t0.IsCancellationRequested, "the renew answered while t0 was live");
            }
            catch (ObjectDisposedException)
            {
                subject.Check(disposeFromCallback, "a renew was refused with no disposal");
            }
        }

        async Task Cancel() => await subject.CancelAsync();

        await Task.WhenAll([Task.Run(Renew), Task.Run(Cancel)]);
        subject.Check(disposal.HasValue || renewal.HasValue, "t0's callback did not run");
        subject.Note("both sides answered; awaiting the callback's call");
        if (disposal is { } pending)
        {
            await pending;
        }
        else
        {
            // Refused only after a disposal, which this variant does not make.
            _ = await renewal!.Value;
        }

        subject.Note("the callback's call answered");
        await subject.AuditAsync();
    }

    /// <summary>Ends the default slot's token the way <paramref name="ending"/> names.</summary>
    private static Task EndAsync(Subject subject, Ending ending) => ending switch
    {
        Ending.CancelAndDispose => subject.CancelAsync(),
        Ending.CancelAll => subject.CancelAllAsync(),
        _ => subject.TouchZeroAsync(),
    };
}
