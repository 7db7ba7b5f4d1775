using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using Lifetime;

namespace GameServer.Cluster.Node;

/// <summary>
/// Reads the <c>Lifetime</c> meter (docs/observability.md) with a <see cref="MeterListener"/> attached
/// before the node creates any owner, so the counters "counted while listened to" cover the whole process.
/// An observable instrument reports its current total at each collection (kept as is); a plain one reports
/// changes (added up). Either way the figures are the meter's, per tag value.
/// </summary>
internal sealed class NodeMeter : IDisposable
{
    private const string SourcesLiveName = "lifetime.sources.live";
    private const string RenewsName = "lifetime.renews";
    private const string TokensEndedName = "lifetime.tokens.ended";
    private const string OwnersLiveName = "lifetime.owners.live";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string Tag), long> _values = new();

    public NodeMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TokenOwner.MeterName
                && instrument.Name is SourcesLiveName or RenewsName or TokensEndedName or OwnersLiveName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Gets the sources the process's owners hold now.</summary>
    public long SourcesLive
    {
        get
        {
            _listener.RecordObservableInstruments();
            return Sum(SourcesLiveName);
        }
    }

    /// <summary>Takes a snapshot; the fields are the ones of an <see cref="Events.EventKind.Meter"/> line.</summary>
    public object[] Snapshot()
    {
        _listener.RecordObservableInstruments();
        var fields = new List<object> { Sum(SourcesLiveName), Sum(OwnersLiveName), Sum(RenewsName) };
        foreach (var ((_, cause), count) in _values.Where(pair => pair.Key.Instrument == TokensEndedName).OrderBy(pair => pair.Key.Tag, StringComparer.Ordinal))
        {
            fields.Add($"{cause}={count}");
        }

        return fields.ToArray();
    }

    public void Dispose() => _listener.Dispose();

    private long Sum(string instrument) => _values.Where(pair => pair.Key.Instrument == instrument).Sum(pair => pair.Value);

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        // Every instrument read here has at most one tag (variant or cause).
        var tag = tags.Length > 0 ? tags[0].Value as string ?? string.Empty : string.Empty;
        var key = (instrument.Name, tag);
        if (instrument.IsObservable)
        {
            _values[key] = value;
        }
        else
        {
            _values.AddOrUpdate(key, value, (_, total) => total + value);
        }
    }
}
