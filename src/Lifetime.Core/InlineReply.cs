using System;
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

    public ValueTask<CancellationToken> ToTokenTask() =>
        _error is null ? new ValueTask<CancellationToken>(_token) : new ValueTask<CancellationToken>(Task.FromException<CancellationToken>(_error));

    public ValueTask<bool> ToFlagTask() =>
        _error is null ? new ValueTask<bool>(_flag) : new ValueTask<bool>(Task.FromException<bool>(_error));

    public ValueTask ToTask() => _error is null ? default : new ValueTask(Task.FromException(_error));
}
