using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;

namespace Lifetime.Tests.Metrics;

/// <summary>
/// Listens to every instrument of the <c>Lifetime</c> meter. Measurements pushed by counters and histograms
/// are kept when recorded on the thread that created the recorder (an Inline owner driven synchronously by
/// the test thread does all its work there, so other owners stay out). Observable instruments are sums
/// over the whole process: <see cref="Observe"/> reads them, and tests compare two readings, which is
/// exact because the tests that use a recorder run alone.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentDictionary<string, Instrument> _instruments = new();
    private readonly object _observing = new();
    private List<Measurement>? _observed;

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

    /// <summary>This thread's pushed measurements of <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<Measurement> Of(string name) => _measurements.Where(m => m.Name == name).ToList();

    /// <summary>The sum of this thread's pushed measurements of <paramref name="name"/>.</summary>
    public double Sum(string name) => _measurements.Where(m => m.Name == name).Sum(m => m.Value);

    /// <summary>Reads every observable instrument now.</summary>
    public Observation Observe()
    {
        lock (_observing)
        {
            _observed = [];
            _listener.RecordObservableInstruments();
            var observed = _observed;
            _observed = null;
            return new Observation(observed);
        }
    }

    public void Clear() => _measurements.Clear();

    public void Dispose() => _listener.Dispose();

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        var tagCopy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            tagCopy[tag.Key] = tag.Value;
        }

        var measurement = new Measurement(instrument.Name, number, tagCopy);
        if (instrument.IsObservable)
        {
            // Observable callbacks run inside RecordObservableInstruments, on the observing thread.
            _observed?.Add(measurement);
        }
        else if (Environment.CurrentManagedThreadId == _thread)
        {
            _measurements.Enqueue(measurement);
        }
    }

    public sealed record Measurement(string Name, double Value, Dictionary<string, object?> Tags);

    /// <summary>One reading of the observable instruments.</summary>
    public sealed class Observation(IReadOnlyList<Measurement> measurements)
    {
        public IReadOnlyList<Measurement> Measurements => measurements;

        /// <summary>The value of <paramref name="name"/> (summed over its tags, or for one tag value).</summary>
        public double this[string name, string? tagValue = null] =>
            measurements.Where(m => m.Name == name && (tagValue is null || m.Tags.Values.Contains(tagValue))).Sum(m => m.Value);

        /// <summary>How much <paramref name="name"/> moved since <paramref name="earlier"/>.</summary>
        public double Since(Observation earlier, string name, string? tagValue = null) => this[name, tagValue] - earlier[name, tagValue];
    }
}
