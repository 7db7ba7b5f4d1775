using System;
using System.Threading;

namespace Lifetime;

/// <summary>Registrations on external tokens that capture no ExecutionContext and never block on removal.</summary>
internal static class TokenRegistration
{
    /// <summary>Registers <paramref name="callback"/> on <paramref name="token"/> without flowing the ExecutionContext.</summary>
    public static CancellationTokenRegistration Register(CancellationToken token, Action<object?> callback, object state)
    {
#if NETSTANDARD2_1
        var restoreFlow = !ExecutionContext.IsFlowSuppressed();
        if (restoreFlow)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            return token.Register(callback, state);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
#else
        return token.UnsafeRegister(callback, state);
#endif
    }

    /// <summary>
    /// Removes a registration. On .NET it never waits; on netstandard2.1 it waits for a callback that is
    /// running at that moment, which is brief: our callbacks only post a message and return.
    /// </summary>
    public static void Remove(in CancellationTokenRegistration registration)
    {
#if NETSTANDARD2_1
        registration.Dispose();
#else
        registration.Unregister();
#endif
    }
}
