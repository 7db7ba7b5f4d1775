using System;
using System.Reflection;
using System.Threading;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// Counts the callbacks registered on a <see cref="CancellationTokenSource"/> by reading the runtime's
/// private fields (.NET 10: <c>_registrations</c>, its <c>Callbacks</c> list and each node's
/// <c>Next</c>). Throws rather than answer zero if the runtime's layout changed, so it cannot pass
/// silently; <c>LeakTests</c> also checks that it sees a registration.
/// </summary>
public static class RegistrationProbe
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly FieldInfo s_registrations = typeof(CancellationTokenSource).GetField("_registrations", Instance)
        ?? throw new InvalidOperationException("CancellationTokenSource._registrations not found: update RegistrationProbe.");

    public static int Count(CancellationTokenSource source)
    {
        var registrations = s_registrations.GetValue(source);
        if (registrations is null)
        {
            return 0;
        }

        var callbacks = Field(registrations.GetType(), "Callbacks");
        var count = 0;
        for (var node = callbacks.GetValue(registrations); node is not null; node = Field(node.GetType(), "Next").GetValue(node))
        {
            count++;
        }

        return count;
    }

    private static FieldInfo Field(Type type, string name) => type.GetField(name, Instance)
        ?? throw new InvalidOperationException($"{type.FullName}.{name} not found: update RegistrationProbe.");
}
