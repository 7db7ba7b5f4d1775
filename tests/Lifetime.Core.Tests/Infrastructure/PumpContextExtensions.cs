using System;

namespace Lifetime.Tests.Infrastructure;

/// <summary>Owner options around a <see cref="PumpContext"/> (kept apart from it: the reliability suite links PumpContext.cs alone).</summary>
public static class PumpContextExtensions
{
    /// <summary>
    /// Options for an owner with <paramref name="placement"/>; with <see cref="CallbackPlacement.SynchronizationContext"/>
    /// its callbacks are posted to <paramref name="context"/>.
    /// </summary>
    public static TokenOwnerOptions Options(this PumpContext context, CallbackPlacement placement, SourceCounter? counter = null, TimeProvider? time = null) => new()
    {
        CallbackPlacement = placement,
        CallbackContext = placement == CallbackPlacement.SynchronizationContext ? context : null,
        SourceFactory = counter is null ? null : counter.Create,
        TimeProvider = time,
    };
}
