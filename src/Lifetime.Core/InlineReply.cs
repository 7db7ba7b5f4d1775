using System;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Lifetime;

/// <summary>The reply of a request that its caller ran inline on an idle owner.</summary>
internal readonly struct InlineReply
{
    private readonly CancellationToken _token;
    private readonly bool _flag;
    private readonly Exception? _error;

    public InlineReply(CancellationToken token, bool flag, Exception? error)
    {
        _token = token;
        _flag = flag;
        _error = error;
    }

    // A failure is answered like a posted request's: through a faulted operation, not a faulted Task, so
    // that a caller who discards the result raises no unobserved-exception event.
    public ValueTask<CancellationToken> ToTokenTask() => _error is null ? new ValueTask<CancellationToken>(_token) : FaultedTokenTask(_error);

    public ValueTask<bool> ToFlagTask() => _error is null ? new ValueTask<bool>(_flag) : Operation.Faulted(_error).AsFlagTask();

    public ValueTask ToTask() => _error is null ? default : Operation.Faulted(_error).AsTask();

    // Out of line: a renew's callers inline ToTokenTask, and the failure needs an operation.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ValueTask<CancellationToken> FaultedTokenTask(Exception error) => Operation.Faulted(error).AsTokenTask();

    /// <summary>The reply for a synchronous caller: returned, or its failure thrown with its original stack.</summary>
    public Operation.Reply GetReply()
    {
        if (_error is not null)
        {
            ExceptionDispatchInfo.Capture(_error).Throw();
        }

        return new Operation.Reply(_token, _flag);
    }
}
