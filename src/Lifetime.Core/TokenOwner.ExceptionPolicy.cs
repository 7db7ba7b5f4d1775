using System;
using System.Threading;

namespace Lifetime;

// Guarantee 6: how an ended source is cancelled and disposed, and what happens to what its callbacks
// throw (reported once and swallowed, or thrown to the caller in strict mode).
public sealed partial class TokenOwner
{
    /// <summary>
    /// Cancels then disposes an ended source, applying the exception policy. Runs on the processing
    /// path (<paramref name="onPath"/>: its meter counts may be used), or on the thread a
    /// <see cref="DispatchedEnd"/> was dispatched to.
    /// </summary>
    private void CancelAndDispose(CancellationTokenSource source, Operation? operation, bool onPath)
    {
        ScheduleHooks.At(HookPoint.BeforeCancel);
        try
        {
            source.Cancel();
        }
        catch (Exception ex)
        {
            if (LifetimeMetrics.Recording && LifetimeMetrics.CallbackExceptions.Enabled)
            {
                LifetimeMetrics.CallbackExceptions.Add(ex is AggregateException aggregate ? aggregate.InnerExceptions.Count : 1);
            }

            if (_throwOnCancelException && operation is { Detached: false })
            {
                operation.AddError(ex);
            }
            else
            {
                Report(ex);
            }
        }
        finally
        {
            ScheduleHooks.At(HookPoint.AfterCancel);
            source.Dispose();
            SourceReleased(onPath);
        }
    }

    private void Report(Exception exception)
    {
        try
        {
            _onCancelException?.Invoke(exception);
        }
#pragma warning disable CA1031 // A throwing reporter must not break cleanup: swallowing is the documented policy.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
