using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;

namespace Lifetime.Tests.Metrics;

/// <summary>
/// Listens to every instrument of the <c>Lifetime</c> meter and keeps the measurements recorded on the
/// thread that created it. The meter is process-wide: an Inline owner driven synchronously by the test
/// thread does all its work on that thread, so filtering by thread keeps other tests' owners out.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentDictionary<string, Instrument> _instruments = new();
    private long _ownersLive = long.MinValue;

    public MetricRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TokenOwner.MeterName)
            {
                _instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyDictionary<string, Instrument> Instruments => _instruments;

    /// <summary>This thread's measurements of <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<Measurement> Of(string name) => _measurements.Where(m => m.Name == name).ToList();

    /// <summary>The sum of this thread's measurements of <paramref name="name"/> with the given tag (or any tags).</summary>
    public double Sum(string name, string? tagKey = null, string? tagValue = null) =>
        _measurements.Where(m => m.Name == name && (tagKey is null || Equals(m.Tags.GetValueOrDefault(tagKey), tagValue))).Sum(m => m.Value);

    /// <summary>Reads <c>lifetime.owners.live</c> now.</summary>
    public long ObserveOwnersLive()
    {
        Interlocked.Exchange(ref _ownersLive, long.MinValue);
        _listener.RecordObservableInstruments();
        var value = Interlocked.Read(ref _ownersLive);
        Assert.NotEqual(long.MinValue, value);
        return value;
    }

    public void Clear() => _measurements.Clear();

    public void Dispose() => _listener.Dispose();

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        if (instrument.Name == "lifetime.owners.live")
        {
            Interlocked.Exchange(ref _ownersLive, (long)number);
            return;
        }

        if (Environment.CurrentManagedThreadId != _thread)
        {
            return;
        }

        var tagCopy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            tagCopy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new Measurement(instrument.Name, number, tagCopy));
    }

    public sealed record Measurement(string Name, double Value, Dictionary<string, object?> Tags);
}
