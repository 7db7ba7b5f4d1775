using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using Lifetime;

namespace GameServer.Cluster.Node;

/// <summary>
/// Reads the <c>Lifetime</c> meter (docs/observability.md) with a <see cref="MeterListener"/> attached
/// before the node creates any owner, so the up-down counters are absolute for this process.
/// </summary>
internal sealed class NodeMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _ended = new();
    private long _sourcesLive;
    private long _renews;
    private long _ownersLive;

    public NodeMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TokenOwner.MeterName
                && instrument.Name is "lifetime.sources.live" or "lifetime.renews" or "lifetime.tokens.ended" or "lifetime.owners.live")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Takes a snapshot; the fields are the ones of an <see cref="Events.EventKind.Meter"/> line.</summary>
    public object[] Snapshot()
    {
        _listener.RecordObservableInstruments();
        var fields = new List<object>
        {
            Interlocked.Read(ref _sourcesLive),
            Interlocked.Read(ref _ownersLive),
            Interlocked.Read(ref _renews),
        };
        foreach (var (cause, count) in _ended.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            fields.Add($"{cause}={count}");
        }

        return fields.ToArray();
    }

    public long SourcesLive => Interlocked.Read(ref _sourcesLive);

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case "lifetime.sources.live":
                Interlocked.Add(ref _sourcesLive, value);
                break;
            case "lifetime.renews":
                Interlocked.Add(ref _renews, value);
                break;
            case "lifetime.owners.live":
                Interlocked.Exchange(ref _ownersLive, value);
                break;
            default:
                var cause = "unknown";
                foreach (var tag in tags)
                {
                    if (tag.Key == "cause")
                    {
                        cause = tag.Value as string ?? cause;
                    }
                }

                _ended.AddOrUpdate(cause, value, (_, count) => count + value);
                break;
        }
    }
}
