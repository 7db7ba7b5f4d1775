using System;
using System.Diagnostics.Metrics;

namespace Lifetime.Benchmarks;

/// <summary>
/// A listener that enables every instrument of the <c>Lifetime</c> meter and only adds up what they
/// record, so that a benchmark with it attached measures the instruments' cost, not an exporter's.
/// Listens from construction to disposal.
/// </summary>
internal sealed class SummingLifetimeListener : IDisposable
{
    private readonly MeterListener _listener = new()
    {
        InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == TokenOwner.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        },
    };

    private long _sum;

    public SummingLifetimeListener()
    {
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _sum += value);
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _sum += (long)value);
        _listener.Start();
    }

    /// <summary>What the instruments recorded, added up (kept so that the callbacks' work is not dropped).</summary>
    public long Sum => _sum;

    public void Dispose() => _listener.Dispose();
}
