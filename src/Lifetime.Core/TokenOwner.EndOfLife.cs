using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime;

// How an owner ends (an explicit disposal or the end of its life), and why each of its tokens ended.
public sealed partial class TokenOwner
{
    private const int Alive = 0;
    private const int Disposed = 1;
    private const int LifeOver = 2;

    // How the owner ended, decided once by whichever comes first: an explicit Dispose (or a processing
    // failure) or the end of its life (the outer token). Written by any thread, with a CAS.
    private int _end;

    // Stands for this owner in the sources it made and in their end marks, which a caller may hold long
    // after the owner is gone: a token must not keep its owner reachable.
    private readonly object _identity = new();

    // This owner's EndMark per cause, made on first use (any thread).
    private EndMark?[]? _endMarks;

    // The one already-cancelled token every renew gets after the end of life, made on first use.
    private StrongBox<CancellationToken>? _endOfLifeToken;

    /// <summary>
    /// Tells why <paramref name="token"/> ended, for any token that any slot of this owner handed out, for
    /// as long as the caller holds the token.
    /// </summary>
    /// <param name="token">A token returned by this owner or one of its slots.</param>
    /// <returns>
    /// <see cref="TokenEndCause.Live"/> while the token is its slot's live token; the cause once it has
    /// ended (recorded before its source is cancelled, so the token's own callbacks can read it);
    /// <see cref="TokenEndCause.Unknown"/> for a token this owner did not hand out, including another
    /// owner's tokens and <see cref="CancellationToken.None"/>.
    /// </returns>
    /// <remarks>
    /// Thread-safe; takes no lock, sends no message and never throws, also after disposal. Tokens of
    /// sources handed over with <see cref="RenewOwnedAsync"/> or made by
    /// <see cref="TokenOwnerOptions.SourceFactory"/> answer as well, through a weak table.
    /// </remarks>
    public TokenEndCause GetEndCause(CancellationToken token)
    {
        var source = TokenSourceAccess.SourceOf(token);
        var end = source switch
        {
            null => null,
            OwnedSource owned => Volatile.Read(ref owned.End),
            _ => SourceOwnership.EndOf(source),
        };

        return end switch
        {
            EndMark mark when mark.Owner == _identity => mark.Cause,
            not null when end == _identity => TokenEndCause.Live,
            _ => TokenEndCause.Unknown,
        };
    }

    /// <summary>Whether the owner's life ended (its outer token fired) before any explicit disposal.</summary>
    internal bool LifeEnded => Volatile.Read(ref _end) == LifeOver;

    /// <summary>
    /// Whether a call made now comes after the end of life: the end is decided (by the outer token) and the
    /// mailbox is closed, so that no renew is admitted any more. Between the two, renews are still admitted
    /// and may be answered with live tokens, so a slot's retirement made then must count as before the end,
    /// or a history could show a live renew after a retirement that was treated as after the end. The
    /// mailbox is closed before the end's request is written, so nothing (a renew answered the ended token,
    /// a disposal completed, a token cancelled by the end) can observe the end while this is still false.
    /// The state is read first: whoever moved it to Closed had decided the end before, so a caller that
    /// sees it closed also sees the decided end.
    /// </summary>
    internal bool IsAfterEndOfLife => IsClosed && LifeEnded;

    /// <summary>Decides how the owner ends, if nothing decided it yet; false when something already had.</summary>
    private bool TryDecideEnd(bool endOfLife) => Interlocked.CompareExchange(ref _end, endOfLife ? LifeOver : Disposed, Alive) == Alive;

    /// <summary>
    /// Records why <paramref name="source"/> ends, before the source is cancelled: on the processing path
    /// when <paramref name="onPath"/>, else at a call site or in a dispatched end.
    /// </summary>
    private void MarkEnded(CancellationTokenSource source, TokenEndCause cause, bool onPath)
    {
        if (LifetimeMetrics.Recording)
        {
            if (onPath)
            {
                _counts?.AddEnded(cause);
            }
            else if (LifetimeMetrics.TokensEnded.Enabled)
            {
                LifetimeMetrics.AddEnded(cause);
            }
        }

        var mark = MarkFor(cause);
        if (source is OwnedSource owned)
        {
            Volatile.Write(ref owned.End, mark);
        }
        else
        {
            SourceOwnership.SetEnd(source, mark);
        }
    }

    private EndMark MarkFor(TokenEndCause cause)
    {
        var marks = Volatile.Read(ref _endMarks);
        if (marks is null)
        {
            var created = new EndMark?[(int)TokenEndCause.OwnerEnded + 1];
            marks = Interlocked.CompareExchange(ref _endMarks, created, null) ?? created;
        }

        var mark = Volatile.Read(ref marks[(int)cause]);
        if (mark is null)
        {
            var created = new EndMark(_identity, cause);
            mark = Interlocked.CompareExchange(ref marks[(int)cause], created, null) ?? created;
        }

        return mark;
    }

    /// <summary>
    /// A source from the user's factory, claimed so that its token's end cause can be told. Null with the
    /// exception when the factory throws, or returns null, a disposed source or one already handed to an
    /// owner.
    /// </summary>
    private CancellationTokenSource? CreateWithFactory(Func<CancellationTokenSource> factory, out CancellationToken token, out Exception? failure)
    {
        try
        {
            var source = factory() ?? throw ThrowHelper.CreateFactoryReturnedNull();
            if (!SourceOwnership.TryClaim(source, _identity))
            {
                // Another owner (or a RenewOwned) has it: installing it would give it two owners.
                throw ThrowHelper.CreateFactoryReturnedOwned();
            }

            // A disposed source throws here, before anything has changed.
            token = source.Token;
            failure = null;
            return source;
        }
        catch (Exception ex)
        {
            token = default;
            failure = ex;
            return null;
        }
    }

    /// <summary>
    /// The answer to a renew after the end of life: an already-cancelled token, and no new source. A source
    /// handed over with RenewOwned is ended instead, and its token is the answer. From the processing path
    /// with its <paramref name="operation"/>, or from a call site with none (exceptions then reported).
    /// </summary>
    private CancellationToken EndOfLifeToken(CancellationTokenSource? owned, Operation? operation)
    {
        if (owned is not null)
        {
            var token = owned.Token;
            MarkEnded(owned, TokenEndCause.OwnerEnded, onPath: false);
            CancelAndDispose(owned, operation, onPath: false);
            return token;
        }

        var shared = Volatile.Read(ref _endOfLifeToken);
        if (shared is null)
        {
            var source = new OwnedSource(MarkFor(TokenEndCause.OwnerEnded));
            var created = new StrongBox<CancellationToken>(source.Token);
            source.Cancel();
            source.Dispose();
            shared = Interlocked.CompareExchange(ref _endOfLifeToken, created, null) ?? created;
        }

        return shared.Value;
    }

    /// <summary>
    /// A renew refused at its call site: after the end of life it gets an already-cancelled token; after
    /// an explicit disposal (or on a retired slot) it throws, disposing a source handed over with it.
    /// </summary>
    private ValueTask<CancellationToken> RefuseRenew(TokenSlot slot, CancellationTokenSource? owned)
    {
        if (LifeEnded && slot.ClaimEndOfLifeAnswer())
        {
            // Answered once the disposal's dispatched ends have run: no caller may see the slot's previous
            // token live after its renew returned (Completion waits for them, and for the drain).
            var token = EndOfLifeToken(owned, null);
            return _completion.Task.IsCompleted
                ? new ValueTask<CancellationToken>(token)
                : new ValueTask<CancellationToken>(QuietCompletion().ContinueWith(_ => token, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
        }

        RefuseOwned(owned);
        ThrowHelper.ThrowObjectDisposed(!slot.IsDefault);
        return default;
    }

    /// <summary>
    /// <see cref="RefuseRenew"/> for a synchronous caller. It waits for the disposal's dispatched ends like
    /// the async form, except on the context those ends are posted to, where they can only run after it
    /// returns.
    /// </summary>
    private CancellationToken RefuseRenewBlocking(TokenSlot slot, CancellationTokenSource? owned)
    {
        var refused = RefuseRenew(slot, owned);
        if (refused.IsCompleted)
        {
            return refused.Result;
        }

        if (IsOnCallbackContext())
        {
            return EndOfLifeToken(null, null);
        }

        return refused.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Disposes a source handed over with a renew the owner refused after its disposal: ownership passed
    /// with the call, as with the seed's helper. Its end cause says so; it was never cancelled.
    /// </summary>
    private void RefuseOwned(CancellationTokenSource? owned)
    {
        if (owned is not null)
        {
            MarkEnded(owned, TokenEndCause.OwnerDisposed, onPath: false);
            owned.Dispose();
            SourceReleased(onPath: false);
        }
    }
}
