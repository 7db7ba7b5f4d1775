using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace Lifetime;

/// <summary>What a caller asked of its owner.</summary>
internal enum OperationKind
{
    Renew,
    CancelCurrent,
    Touch,
    RetireSlot,
    CancelAll,
    Dispose,
}

/// <summary>
/// A caller's request and its reply: the message posted into the mailbox and the
/// <see cref="IValueTaskSource{TResult}"/> the caller awaits. Owners keep one instance for reuse; the
/// version of <see cref="ManualResetValueTaskSourceCore{TResult}"/> rejects a stale or second await.
/// </summary>
internal sealed class Operation : IOwnerMessage, IValueTaskSource<CancellationToken>, IValueTaskSource<bool>, IValueTaskSource
{
    private readonly bool _reusable;
    private ManualResetValueTaskSourceCore<Reply> _core;
    private List<Exception>? _errors;

    // Who still holds a reusable operation in its current use: its caller until it has taken the
    // result, and the completer until SetResult has returned. The caller can see the result while the
    // completer is still inside SetResult, so recycling on the caller's word alone would let the next
    // request reuse a core whose completion is still running.
    private int _holders;

    // The owner's inline operation: run by a caller that holds the gate of an idle owner, and answered
    // in plain fields that the same caller reads back before it releases the gate.
    private readonly bool _inline;
    private CancellationToken _inlineToken;
    private bool _inlineFlag;
    private Exception? _inlineError;

    public Operation(bool reusable, bool inline = false)
    {
        Debug.Assert(!(reusable && inline), "The inline operation belongs to its owner.");
        _reusable = reusable;
        _inline = inline;
        _core.RunContinuationsAsynchronously = true;
    }

    public OperationKind Kind { get; private set; }

    public TokenSlot? Slot { get; private set; }

    /// <summary>The requested timeout, or <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan Timeout { get; private set; }

    public RequestedLinks Links { get; private set; }

    /// <summary>For RenewOwned: the caller's source, and its token read at the call site.</summary>
    public CancellationTokenSource? OwnedSource { get; private set; }

    public CancellationToken OwnedToken { get; private set; }

    /// <summary>
    /// The sources this operation ends, with the slot each came from, when they are handed away from the
    /// processing path.
    /// </summary>
    public List<(CancellationTokenSource Source, TokenSlot Slot)>? Dispatched { get; set; }

    /// <summary>
    /// Whether the caller waits only for the processing path, not for dispatched ends (a
    /// synchronous Dispose, which must not block the thread those dispatched ends may need). Such an
    /// operation is answered as soon as it is processed; its dispatched ends report their exceptions.
    /// </summary>
    public bool Detached { get; set; }

    public short Version => _core.Version;

    /// <summary>
    /// Whether the caller blocks its thread on the reply (a synchronous Dispose) with
    /// <see cref="WaitForReply"/>: the completer then wakes it itself, never through the thread pool.
    /// Set before the operation is posted.
    /// </summary>
    public bool HasBlockedCaller { get; set; }

    // For a blocked caller: a dispatched end its reply waits for, which the caller may run itself
    // rather than wait for a pool thread (set by the processing path, taken by the caller, under the lock).
    private TokenOwner.DispatchedEnd? _help;

    public Operation Init(OperationKind kind, TokenSlot? slot, TimeSpan timeout = default, RequestedLinks links = default, CancellationTokenSource? ownedSource = null, CancellationToken ownedToken = default)
    {
        _holders = 2;
        Detached = false;
        HasBlockedCaller = false;
        _help = null;
        Kind = kind;
        Slot = slot;
        Timeout = timeout;
        Links = links;
        OwnedSource = ownedSource;
        OwnedToken = ownedToken;
        return this;
    }

    void IOwnerMessage.Process(TokenOwner owner) => owner.Execute(this);

    /// <summary>Records an exception that strict mode propagates to this operation's caller.</summary>
    public void AddError(Exception exception) => (_errors ??= new List<Exception>(1)).Add(exception);

    /// <summary>Answers the caller: with the recorded exceptions if there are any, else with the result.</summary>
    public void Complete(CancellationToken token = default, bool flag = false)
    {
        ScheduleHooks.At(HookPoint.BeforeReply);
        var errors = _errors;
        _errors = null;
        if (_inline)
        {
            _inlineToken = token;
            _inlineFlag = flag;

            // Left null by TakeInlineReply: written only when there is an error, which spares the common
            // reply a write barrier.
            Debug.Assert(_inlineError is null, "The inline operation is answered once per use.");
            if (errors is not null)
            {
                _inlineError = errors.Count == 1 ? errors[0] : new AggregateException(errors);
            }

            return;
        }

        if (errors is null)
        {
            _core.SetResult(new Reply(token, flag));
        }
        else
        {
            _core.SetException(errors.Count == 1 ? errors[0] : new AggregateException(errors));
        }

        WakeBlockedCaller();
        Release();
    }

    public void Fail(Exception exception)
    {
        ScheduleHooks.At(HookPoint.BeforeReply);
        _errors = null;
        if (_inline)
        {
            _inlineError = exception;
            return;
        }

        _core.SetException(exception);
        WakeBlockedCaller();
        Release();
    }

    /// <summary>
    /// A completed, faulted operation. Unlike a faulted <see cref="Task"/>, a faulted value task over it
    /// raises no unobserved-exception event when its caller discards it.
    /// </summary>
    public static Operation Faulted(Exception exception)
    {
        var operation = new Operation(reusable: false);
        operation.Fail(exception);
        return operation;
    }

    /// <summary>
    /// Takes the inline operation's reply, and makes it ready for the next use. Called by the caller
    /// that ran it, while it still holds the gate.
    /// </summary>
    public InlineReply TakeInlineReply()
    {
        Debug.Assert(_inline, "Only the inline operation answers in fields.");
        var reply = new InlineReply(_inlineToken, _inlineFlag, _inlineError);
        _inlineError = null;
        _inlineToken = default;
        Init(default, null);
        return reply;
    }

    /// <summary>
    /// The caller's view of a token reply. Takes the result at once when the operation completed while
    /// the caller drained the mailbox itself, which allocates nothing.
    /// </summary>
    public ValueTask<CancellationToken> AsTokenTask()
    {
        var version = _core.Version;
        if (_core.GetStatus(version) == ValueTaskSourceStatus.Succeeded)
        {
            var token = _core.GetResult(version).Token;
            Release();
            return new ValueTask<CancellationToken>(token);
        }

        return new ValueTask<CancellationToken>(this, version);
    }

    public ValueTask<bool> AsFlagTask()
    {
        var version = _core.Version;
        if (_core.GetStatus(version) == ValueTaskSourceStatus.Succeeded)
        {
            var flag = _core.GetResult(version).Flag;
            Release();
            return new ValueTask<bool>(flag);
        }

        return new ValueTask<bool>(this, version);
    }

    public ValueTask AsTask()
    {
        var version = _core.Version;
        if (_core.GetStatus(version) == ValueTaskSourceStatus.Succeeded)
        {
            _core.GetResult(version);
            Release();
            return default;
        }

        return new ValueTask(this, version);
    }

    CancellationToken IValueTaskSource<CancellationToken>.GetResult(short token)
    {
        try
        {
            return _core.GetResult(token).Token;
        }
        finally
        {
            Release();
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        try
        {
            return _core.GetResult(token).Flag;
        }
        finally
        {
            Release();
        }
    }

    void IValueTaskSource.GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<CancellationToken>.GetStatus(short token) => _core.GetStatus(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<CancellationToken>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// Drops one hold; the last one returns a reusable operation to its owner. An operation whose result
    /// is never taken (nobody awaits it) is simply left to the garbage collector.
    /// </summary>
    private void Release()
    {
        if (!_reusable || Interlocked.Decrement(ref _holders) != 0)
        {
            return;
        }

        Debug.Assert(_errors is null, "Errors are consumed when the operation completes.");
        var slot = Slot;
        Init(default, null);
        Dispatched = null;
        _core.Reset();
        slot?.Owner.ReturnOperation(this);
    }

    /// <summary>
    /// Blocks the calling thread until the operation is answered, then takes the reply: returns it, or
    /// throws what the operation faulted with. For a caller marked with <see cref="HasBlockedCaller"/>, which
    /// registers no continuation: its wake-up needs no other thread, the thread pool included. While it
    /// waits, it runs the dispatched ends its reply waits for when its owner lets it (see
    /// <see cref="TokenOwner.HelpWith"/>), so that even those need no free pool thread.
    /// </summary>
    public Reply WaitForReply()
    {
        Debug.Assert(HasBlockedCaller, "Only a caller the completer knows of may block.");
        var version = _core.Version;

        // A reply under contention usually comes within microseconds, sooner than a sleeping thread is
        // woken: spin briefly first, as a contended lock does, and sleep only when that is not enough. The
        // reads here are hints; the loop below decides under the lock.
        var spinner = default(SpinWait);
        while (!spinner.NextSpinWillYield && _core.GetStatus(version) == ValueTaskSourceStatus.Pending && Volatile.Read(ref _help) is null)
        {
            spinner.SpinOnce();
        }

        while (true)
        {
            TokenOwner.DispatchedEnd? help;
            lock (this)
            {
                while (_core.GetStatus(version) == ValueTaskSourceStatus.Pending && _help is null)
                {
                    Monitor.Wait(this);
                }

                if (_core.GetStatus(version) != ValueTaskSourceStatus.Pending)
                {
                    break;
                }

                help = _help;
                _help = null;
            }

            Slot!.Owner.HelpWith(help!);
        }

        try
        {
            return _core.GetResult(version);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Offers the blocked caller a dispatched end its reply waits for. Processing path.</summary>
    public void OfferHelp(TokenOwner.DispatchedEnd end)
    {
        lock (this)
        {
            _help = end;
            Monitor.PulseAll(this);
        }
    }

    /// <summary>
    /// Takes a caller blocked in <see cref="WaitForReply"/> off its owner's count and wakes it; called right
    /// after the result is set.
    /// </summary>
    private void WakeBlockedCaller()
    {
        if (HasBlockedCaller)
        {
            Slot!.Owner.OnBlockedCallerAnswered();
            lock (this)
            {
                Monitor.PulseAll(this);
            }
        }
    }

    /// <summary>What an operation answers: a token, a flag, or neither.</summary>
    internal readonly struct Reply
    {
        public Reply(CancellationToken token, bool flag)
        {
            Token = token;
            Flag = flag;
        }

        public CancellationToken Token { get; }

        public bool Flag { get; }
    }
}
