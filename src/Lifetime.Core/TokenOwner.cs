using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Lifetime;

/// <summary>
/// An actor that owns <see cref="CancellationTokenSource"/>s and hands out only their tokens. Callers
/// send Renew / Cancel / Touch / Dispose messages and await the reply; nobody but the owner ever cancels
/// or disposes an owned source, so Cancel after Dispose, a disposed source left in a field, leaked timer
/// and linked sources, and re-entry from callbacks cannot be written.
/// </summary>
/// <remarks>
/// <para>
/// Messages go into a single-reader <see cref="Channel{T}"/> mailbox and are processed one at a time on
/// the owner's processing path. Whoever posts into an idle mailbox drains it on its own thread, so an
/// uncontended operation completes synchronously; otherwise the thread already draining processes the
/// message. Only the processing path reads or writes owner state; there is no lock around it.
/// </para>
/// <para>
/// The owner's own renew members act on its default slot; <see cref="CreateSlot"/> adds more slots served
/// by the same processing path. All members are thread-safe and may be called from a cancellation
/// callback of the owner's own tokens: the call becomes a message behind the current one.
/// </para>
/// <para>
/// After <see cref="Dispose"/> or <see cref="DisposeAsync"/>, every token is cancelled and every source
/// disposed. Renew requests and <see cref="CreateSlot"/> then fail with
/// <see cref="ObjectDisposedException"/>: using an owner after disposing it is a bug. When the owner's
/// life ends instead (its <see cref="TokenOwnerOptions.OuterToken"/> fires before any explicit disposal),
/// it is disposed the same way, but a renew racing that end is no bug: it returns an already-cancelled
/// token (<see cref="TokenEndCause.OwnerEnded"/>), and <see cref="CreateSlot"/> returns a slot whose
/// renews do the same. In both cases the cleanup members (<see cref="CancelAndDisposeAsync"/>,
/// <see cref="CancelAllAsync"/>, <see cref="Dispose"/>, <see cref="DisposeAsync"/>) complete as no-ops and
/// <see cref="TouchAsync"/> returns <see langword="false"/>.
/// </para>
/// </remarks>
public sealed partial class TokenOwner : IAsyncDisposable, IDisposable
{
    /// <summary>
    /// The name of the <see cref="System.Diagnostics.Metrics.Meter"/> through which every owner publishes
    /// its metrics: <c>"Lifetime"</c>. Pass it to OpenTelemetry's <c>AddMeter</c> or to
    /// <c>dotnet-counters monitor --counters Lifetime</c>; docs/observability.md lists the instruments.
    /// </summary>
    /// <remarks>With no listener attached the instruments cost a field read per recording site.</remarks>
    public const string MeterName = "Lifetime";

    private readonly Channel<IOwnerMessage> _mailbox;
    private readonly TokenSlot _defaultSlot;
    private readonly DeadlineWheel _wheel;
    private readonly bool _throwOnCancelException;
    private readonly Action<Exception>? _onCancelException;
    private readonly CallbackPlacement _placement;
    private readonly SynchronizationContext? _callbackContext;
    private readonly Func<CancellationTokenSource>? _sourceFactory;

    // Whether a plain renew of the idle owner may run without an operation (RenewWithoutOperation): with
    // Inline placement and the default exception policy, where no reply waits for a dispatched end and no
    // callback's exception goes to the caller.
    private readonly bool _renewsWithoutOperation;

    // Mailbox state, shared by callers: the drainer gate (the "no more requests" state is _state,
    // TokenOwner.DisposalState.cs).
    private DrainGate _gate;
    private SpareOperations _spareOperations;

    // Used only by a caller holding the gate of an idle owner (see TryEnterIdle).
    private readonly Operation _inlineOperation = new(reusable: false, inline: true);

    /// <summary>Creates an owner with default options.</summary>
    public TokenOwner()
        : this(null)
    {
    }

    /// <summary>Creates an owner bound to <paramref name="outerToken"/>: its life ends when that token is cancelled (see <see cref="TokenOwnerOptions.OuterToken"/>).</summary>
    /// <param name="outerToken">The outer token, for example Unity's <c>destroyCancellationToken</c>.</param>
    public TokenOwner(CancellationToken outerToken)
        : this(new TokenOwnerOptions { OuterToken = outerToken })
    {
    }

    /// <summary>Creates an owner with the given options.</summary>
    /// <param name="options">The settings; <see langword="null"/> means the defaults. Read once, here.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="TokenOwnerOptions.CallbackPlacement"/> is not a defined value.</exception>
    /// <exception cref="InvalidOperationException">
    /// <see cref="CallbackPlacement.SynchronizationContext"/> was chosen without a
    /// <see cref="TokenOwnerOptions.CallbackContext"/> and there is no current context to capture.
    /// </exception>
    public TokenOwner(TokenOwnerOptions? options)
    {
        options ??= new TokenOwnerOptions();
        _placement = options.CallbackPlacement;
        if (_placement is < CallbackPlacement.Inline or > CallbackPlacement.SynchronizationContext)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _placement, "Unknown CallbackPlacement.");
        }

        if (_placement == CallbackPlacement.SynchronizationContext)
        {
            _callbackContext = options.CallbackContext ?? SynchronizationContext.Current
                ?? throw new InvalidOperationException("CallbackPlacement.SynchronizationContext needs TokenOwnerOptions.CallbackContext, or a current SynchronizationContext to capture.");
        }

        _throwOnCancelException = options.ThrowOnCancelException;
        _onCancelException = options.OnCancelException;
        _sourceFactory = options.SourceFactory;
        _renewsWithoutOperation = _placement == CallbackPlacement.Inline && !_throwOnCancelException;
        _wheel = DeadlineWheel.For(options.TimeProvider ?? TimeProvider.System);
        _mailbox = Channel.CreateUnbounded<IOwnerMessage>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        _defaultSlot = new TokenSlot(this);

        // Counted before the outer token is bound: an outer token already cancelled may complete the owner here.
        LifetimeMetrics.OwnerCreated();
        BindOuterToken(options.OuterToken);
    }

    /// <summary>
    /// Gets a task that completes when the owner has been disposed, has drained its mailbox and every
    /// source it owned is disposed (including sources handed to the thread pool or a context by
    /// <see cref="CallbackPlacement"/>). It faults if the processing path itself ever failed; exceptions
    /// of cancellation callbacks never fault it.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <inheritdoc cref="TokenSlot.RenewAsync"/>
    public ValueTask<CancellationToken> RenewAsync() => _defaultSlot.RenewAsync();

    /// <inheritdoc cref="TokenSlot.RenewAfterAsync"/>
    public ValueTask<CancellationToken> RenewAfterAsync(TimeSpan timeout) => _defaultSlot.RenewAfterAsync(timeout);

    /// <inheritdoc cref="TokenSlot.RenewLinkedAsync"/>
    public ValueTask<CancellationToken> RenewLinkedAsync(params CancellationToken[] links) => _defaultSlot.RenewLinkedAsync(links);

    /// <inheritdoc cref="TokenSlot.RenewLinkedAfterAsync"/>
    public ValueTask<CancellationToken> RenewLinkedAfterAsync(TimeSpan timeout, params CancellationToken[] links) => _defaultSlot.RenewLinkedAfterAsync(timeout, links);

    /// <inheritdoc cref="TokenSlot.RenewOwnedAsync"/>
    public ValueTask<CancellationToken> RenewOwnedAsync(CancellationTokenSource source) => _defaultSlot.RenewOwnedAsync(source);

    /// <inheritdoc cref="TokenSlot.CancelAndDisposeAsync"/>
    public ValueTask CancelAndDisposeAsync() => _defaultSlot.CancelAndDisposeAsync();

    /// <inheritdoc cref="TokenSlot.Renew"/>
    public CancellationToken Renew() => _defaultSlot.Renew();

    /// <inheritdoc cref="TokenSlot.RenewAfter"/>
    public CancellationToken RenewAfter(TimeSpan timeout) => _defaultSlot.RenewAfter(timeout);

    /// <inheritdoc cref="TokenSlot.RenewLinked"/>
    public CancellationToken RenewLinked(params CancellationToken[] links) => _defaultSlot.RenewLinked(links);

    /// <inheritdoc cref="TokenSlot.RenewLinkedAfter"/>
    public CancellationToken RenewLinkedAfter(TimeSpan timeout, params CancellationToken[] links) => _defaultSlot.RenewLinkedAfter(timeout, links);

    /// <inheritdoc cref="TokenSlot.RenewOwned"/>
    public CancellationToken RenewOwned(CancellationTokenSource source) => _defaultSlot.RenewOwned(source);

    /// <inheritdoc cref="TokenSlot.CancelAndDispose"/>
    public void CancelAndDispose() => _defaultSlot.CancelAndDispose();

    /// <inheritdoc cref="TokenSlot.Touch"/>
    public bool Touch(TimeSpan timeout) => _defaultSlot.Touch(timeout);

    /// <inheritdoc cref="TokenSlot.TouchAsync"/>
    public ValueTask<bool> TouchAsync(TimeSpan timeout) => _defaultSlot.TouchAsync(timeout);

    /// <inheritdoc cref="TokenSlot.IsCurrent"/>
    public bool IsCurrent(CancellationToken token) => _defaultSlot.IsCurrent(token);

    /// <summary>Creates another serial slot served by this owner's processing path.</summary>
    /// <returns>
    /// A new slot with no token; retire it with <see cref="TokenSlot.DisposeAsync"/>, or let the owner's
    /// disposal end it. After the owner's end of life, a slot whose renews return already-cancelled tokens.
    /// </returns>
    /// <exception cref="ObjectDisposedException">The owner was disposed explicitly.</exception>
    public TokenSlot CreateSlot()
    {
        if (IsClosed && !LifeEnded)
        {
            ThrowHelper.ThrowObjectDisposed(slot: false);
        }

        // A slot joins the owner's state only when the processing path gives it a token, so creating
        // one needs no message: a slot created just before a racing Dispose simply never gets a token.
        return new TokenSlot(this);
    }

    /// <summary>Ends the current token of every slot of this owner. The owner and its slots stay usable.</summary>
    /// <returns>A task that completes once every token is ended.</returns>
    /// <remarks>After disposal this is a harmless no-op.</remarks>
    /// <exception cref="AggregateException">Strict mode only: callbacks of ended tokens threw.</exception>
    public ValueTask CancelAllAsync()
    {
        var operation = RentOperation().Init(OperationKind.CancelAll, _defaultSlot);
        return TryPost(operation) ? operation.AsTask() : ReturnAndComplete(operation);
    }

    /// <summary>
    /// The synchronous form of <see cref="CancelAllAsync"/>: ends the current token of every slot; the owner
    /// and its slots stay usable. See <see cref="TokenSlot.Renew"/> for how it waits.
    /// </summary>
    /// <remarks>After disposal this is a harmless no-op.</remarks>
    /// <exception cref="InvalidOperationException">As for <see cref="TokenSlot.Renew"/>.</exception>
    /// <exception cref="AggregateException">Strict mode only: callbacks of ended tokens threw.</exception>
    public void CancelAll()
    {
        ThrowIfWaitingOnItself(nameof(CancelAllAsync));
        _ = RunCleanupBlocking(OperationKind.CancelAll, _defaultSlot);
    }

    /// <summary>
    /// Disposes the owner: every token is cancelled, every source disposed, every link and deadline
    /// removed; later renews fail with <see cref="ObjectDisposedException"/>. Requests sent before it
    /// complete normally first.
    /// </summary>
    /// <returns>A task that completes with <see cref="Completion"/>, without its fault.</returns>
    /// <remarks>
    /// Idempotent and safe from any thread, including from a callback of the owner's own tokens (there the
    /// disposal is queued behind the current message). Later calls wait for the same completion.
    /// </remarks>
    /// <exception cref="AggregateException">Strict mode only, first call only: callbacks of ended tokens threw.</exception>
    public ValueTask DisposeAsync()
    {
        var operation = SendDispose(DisposeCaller.Awaiting);
        return operation is null ? new ValueTask(QuietCompletion()) : DisposeAndDrainAsync(operation);
    }

    /// <summary>
    /// Disposes the owner like <see cref="DisposeAsync"/> and waits until the processing path has ended
    /// every token. With <see cref="CallbackPlacement.Inline"/>, every callback has returned by then; with
    /// the dispatched placements, ended sources may still be running their callbacks elsewhere (await
    /// <see cref="Completion"/> for that) and their exceptions are reported, never thrown here, so that
    /// this call never waits for the thread those callbacks need. Called from a callback on the owner's
    /// processing path, it queues the disposal and returns at once; the callbacks' exceptions are then
    /// reported to <see cref="TokenOwnerOptions.OnCancelException"/>, as nobody waits to receive them. The
    /// wait needs no thread-pool thread, even when every pool thread is blocked in a Dispose.
    /// </summary>
    /// <exception cref="AggregateException">Strict mode, <see cref="CallbackPlacement.Inline"/>, first call only, not from the processing path: callbacks of ended tokens threw.</exception>
    public void Dispose() => SendAndBlock(slot: null);

    internal DeadlineWheel Wheel => _wheel;

    internal TokenSlot DefaultSlotForTests => _defaultSlot;

    internal TokenSlot DefaultSlot => _defaultSlot;

    private async ValueTask DisposeAndDrainAsync(Operation operation)
    {
        await operation.AsTask().ConfigureAwait(false);
        await QuietCompletion().ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="Completion"/>, without its fault (observed here, so a disposal after a failure raises no
    /// unobserved-exception event): disposal completes even after a failure.
    /// </summary>
    private Task QuietCompletion() => _completion.Task.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
