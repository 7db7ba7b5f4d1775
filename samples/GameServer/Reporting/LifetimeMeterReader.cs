using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Text;
using System.Threading;
using Lifetime;

namespace GameServer.Reporting;

/// <summary>
/// Reads the <c>Lifetime</c> meter in-process with a <see cref="MeterListener"/>: live sources and owners,
/// renews by variant, tokens ended by cause and callback exceptions, summed over every owner of the
/// process. The run's progress line and report take their Lifetime figures from here; the sample keeps
/// no counter of its own for them.
/// </summary>
/// <remarks>
/// Most of the meter's instruments are observable: each read of a figure here collects them (a
/// <see cref="MeterListener.RecordObservableInstruments"/>), as an exporter does on each interval. Renews,
/// ended tokens, live sources and callback exceptions are counted from the moment the reader starts
/// (the meter counts them only while a listener is attached, and the reader subtracts what was counted
/// before it), so create it before the first owner of the run: then <see cref="SourcesLive"/> is 0 once
/// every owner is disposed. <see cref="OwnersLive"/> is absolute. <see cref="SourcesPeak"/> is the highest
/// of the readings, taken at every read and every 100 ms. The meter has no per-owner tag, so the figures
/// cover every owner in the process (in <see cref="RunMode.All"/>, the server's and the bots'); two runs at
/// once in one process would read each other's owners. Every member is thread-safe. Disposing stops
/// listening; the figures stay as last read.
/// </remarks>
public sealed class LifetimeMeterReader : IDisposable
{
    private static readonly Dictionary<string, TokenEndCause> s_causes = CauseTags();
    private static readonly string[] s_variants = ["renew", "renew_after", "renew_linked", "renew_linked_after", "renew_owned"];

    private readonly MeterListener _listener = new();
    private readonly Timer _sampler;
    private readonly object _reading = new();
    private readonly Reading _start;
    private Reading _current = new();
    private long _sourcesPeak;
    private long _callbackExceptions;
    private bool _disposed;

    /// <summary>Starts listening to the <c>Lifetime</c> meter.</summary>
    public LifetimeMeterReader()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TokenOwner.MeterName
                && instrument.Name is "lifetime.sources.live" or "lifetime.renews" or "lifetime.tokens.ended" or "lifetime.callback.exceptions" or "lifetime.owners.live")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
        _start = Read();
        _sampler = new Timer(static state => ((LifetimeMeterReader)state!).Read(), this, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>Gets the sources the owners hold now (created while listening, not yet disposed).</summary>
    public long SourcesLive => Read().SourcesLive - _start.SourcesLive;

    /// <summary>Gets the most sources held at once among the readings taken while listening.</summary>
    public long SourcesPeak
    {
        get
        {
            Read();
            return Volatile.Read(ref _sourcesPeak);
        }
    }

    /// <summary>Gets how many tokens renews handed out (<c>lifetime.renews</c>, every variant).</summary>
    public long Renews => Sum(Read().Renews) - Sum(_start.Renews);

    /// <summary>Gets how many tokens ended, every cause (<c>lifetime.tokens.ended</c>).</summary>
    public long TokensEndedTotal => Sum(Read().Ended) - Sum(_start.Ended);

    /// <summary>Gets how many exceptions cancellation callbacks threw (<c>lifetime.callback.exceptions</c>).</summary>
    public long CallbackExceptions => Volatile.Read(ref _callbackExceptions);

    /// <summary>Gets the owners alive now (<c>lifetime.owners.live</c>, absolute).</summary>
    public long OwnersLive => Read().OwnersLive;

    /// <summary>Gets how many tokens renews of one variant handed out.</summary>
    /// <param name="variant">The <c>variant</c> tag: <c>renew</c>, <c>renew_after</c>, <c>renew_linked</c>, <c>renew_linked_after</c> or <c>renew_owned</c>.</param>
    /// <returns>The count; 0 for a variant the meter does not have.</returns>
    public long RenewsOf(string variant)
    {
        var index = Array.IndexOf(s_variants, variant);
        return index < 0 ? 0 : Read().Renews[index] - _start.Renews[index];
    }

    /// <summary>Gets how many tokens ended with <paramref name="cause"/> (the <c>cause</c> tag of <c>lifetime.tokens.ended</c>).</summary>
    /// <param name="cause">The end cause.</param>
    /// <returns>The count.</returns>
    public long TokensEnded(TokenEndCause cause) => Read().Ended[(int)cause] - _start.Ended[(int)cause];

    /// <summary>Gets the snake_case name the meter's <c>cause</c> tag gives <paramref name="cause"/>.</summary>
    /// <param name="cause">The end cause.</param>
    /// <returns>For example <c>timed_out</c> for <see cref="TokenEndCause.TimedOut"/>.</returns>
    public static string CauseTag(TokenEndCause cause)
    {
        var name = cause.ToString();
        var text = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }

    /// <summary>Stops listening; the figures stay as last read.</summary>
    public void Dispose()
    {
        _sampler.Dispose();
        lock (_reading)
        {
            _disposed = true;
            _listener.Dispose();
        }
    }

    private static Dictionary<string, TokenEndCause> CauseTags()
    {
        var tags = new Dictionary<string, TokenEndCause>(StringComparer.Ordinal);
        foreach (var cause in Enum.GetValues<TokenEndCause>())
        {
            tags[CauseTag(cause)] = cause;
        }

        return tags;
    }

    private static long Sum(long[] counts)
    {
        long sum = 0;
        foreach (var count in counts)
        {
            sum += count;
        }

        return sum;
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    /// <summary>Collects the observable instruments now and returns the reading (the last one once disposed).</summary>
    private Reading Read()
    {
        lock (_reading)
        {
            if (_disposed)
            {
                return _current;
            }

            _current = new Reading();
            _listener.RecordObservableInstruments();
            if (_start is { } start)
            {
                InterlockedMax.Raise(ref _sourcesPeak, _current.SourcesLive - start.SourcesLive);
            }

            return _current;
        }
    }

    // Observable instruments report on the reading thread, inside Read's lock; the callback-exception
    // counter reports on the thread whose callback threw.
    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case "lifetime.sources.live":
                _current.SourcesLive = value;
                break;

            case "lifetime.renews":
                var variant = Array.IndexOf(s_variants, Tag(tags, "variant"));
                if (variant >= 0)
                {
                    _current.Renews[variant] = value;
                }

                break;

            case "lifetime.tokens.ended":
                if (Tag(tags, "cause") is { } cause && s_causes.TryGetValue(cause, out var endCause))
                {
                    _current.Ended[(int)endCause] = value;
                }

                break;

            case "lifetime.callback.exceptions":
                Interlocked.Add(ref _callbackExceptions, value);
                break;

            case "lifetime.owners.live":
                _current.OwnersLive = value;
                break;
        }
    }

    /// <summary>One collection of the observable instruments: process-wide totals.</summary>
    private sealed class Reading
    {
        public long[] Renews { get; } = new long[s_variants.Length];

        public long[] Ended { get; } = new long[Enum.GetValues<TokenEndCause>().Length];

        public long SourcesLive { get; set; }

        public long OwnersLive { get; set; }
    }
}
