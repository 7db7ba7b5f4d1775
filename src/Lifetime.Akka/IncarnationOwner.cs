using System;
using System.Threading;

namespace Lifetime.Akka;

/// <summary>
/// The owner of one actor incarnation, and the end of its life. Shared by <see cref="TokenOwnerReceiveActor"/>,
/// <see cref="TokenOwnerUntypedActor"/>, <see cref="TokenOwnerActor"/> and <see cref="ActorTokenOwners"/>, so
/// the lifecycle logic exists once. Used only on the actor's own thread (its constructor, handlers and
/// lifecycle hooks), so it needs no synchronisation.
/// </summary>
/// <remarks>
/// <para>
/// An incarnation's end is an <em>end of life</em> (docs/design.md, guarantee 7), not an explicit disposal: each
/// owner is created with <see cref="TokenOwnerOptions.OuterToken"/> bound to a source this helper owns, and
/// <see cref="End"/> cancels that source before it disposes the owner. So a renew that races the end (a
/// <c>PipeTo</c> continuation, a late handler holding the owner) completes with an already-cancelled token,
/// while an explicit <see cref="TokenOwner.Dispose"/> by the actor's own code still makes later renews throw
/// <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// A mutable struct held in a non-readonly field: it costs the actor no extra allocation, and the actor only
/// ever calls it through that field (never copies it).
/// </para>
/// </remarks>
internal struct IncarnationOwner
{
    private TokenOwner? _owner;
    private CancellationTokenSource? _life;
    private bool _ended;

    /// <summary>Gets whether the owner was created.</summary>
    public readonly bool HasOwner => _owner is not null;

    /// <summary>
    /// The owner, created with the options <paramref name="createOptions"/> returns on first use. Created
    /// after <see cref="End"/>, it is born ended: its renews give cancelled tokens and it holds no source.
    /// </summary>
    public TokenOwner GetOrCreate<TState>(TState state, Func<TState, TokenOwnerOptions?> createOptions) =>
        _owner ?? Create(createOptions(state));

    /// <summary>
    /// Ends the incarnation's owner, if it was created, as an end of life: when this returns every token it
    /// issued is cancelled and every source disposed. Idempotent (Akka's default <c>PreRestart</c> calls
    /// <c>PostStop</c>). Strict-mode callback exceptions are not thrown here: an end of life has no awaiting
    /// caller, so the owner reports them to <see cref="TokenOwnerOptions.OnCancelException"/>.
    /// </summary>
    public void End()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        var life = _life;
        _life = null;
        if (life is null)
        {
            return;
        }

        try
        {
            // The end of life first, so that whichever of it and a racing renew the owner sees first
            // decides, and the renew never meets an explicit disposal.
            life.Cancel();

            // Cancelling may have left the owner's disposal to a drainer on another thread (a renew was
            // being processed there): wait until every token is ended, so the next incarnation is never
            // constructed beside a live token of this one.
            _owner!.Dispose();
        }
        finally
        {
            life.Dispose();
        }
    }

    /// <summary>
    /// A copy of <paramref name="options"/> whose <see cref="TokenOwnerOptions.OuterToken"/> is
    /// <paramref name="outerToken"/>. A copy because a factory may hand the same options instance to many
    /// actors at once. The spec <c>IncarnationOwnerTests</c> fails when Core adds a setting this does not copy.
    /// </summary>
    internal static TokenOwnerOptions WithOuterToken(TokenOwnerOptions? options, CancellationToken outerToken) => new()
    {
        ThrowOnCancelException = options?.ThrowOnCancelException ?? false,
        OnCancelException = options?.OnCancelException,
        TimeProvider = options?.TimeProvider,
        CallbackPlacement = options?.CallbackPlacement ?? default,
        CallbackContext = options?.CallbackContext,
        SourceFactory = options?.SourceFactory,
        OuterToken = outerToken,
    };

    private TokenOwner Create(TokenOwnerOptions? options)
    {
        if (_ended)
        {
            // Asked for after the end (say from a user's PostStop when nothing asked before): no life to bind,
            // and an owner bound to nothing would never be disposed.
            return _owner = new TokenOwner(WithOuterToken(options, new CancellationToken(canceled: true)));
        }

        // A user's own outer token (ApplicationStopping, say) still ends the owner: the incarnation's life is
        // linked to it.
        var userOuter = options?.OuterToken ?? default;
        var life = userOuter.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(userOuter) : new CancellationTokenSource();
        try
        {
            _owner = new TokenOwner(WithOuterToken(options, life.Token));
        }
        catch
        {
            life.Dispose();
            throw;
        }

        _life = life;
        return _owner;
    }
}
