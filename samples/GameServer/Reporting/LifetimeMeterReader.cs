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
/// <c>lifetime.sources.live</c> moves only while a listener is attached, so create the reader before the
/// first owner of the run: then its <see cref="SourcesLive"/> is absolute, and 0 once every owner is
/// disposed. The meter has no per-owner tag, so the figures cover every owner in the process (in
/// <see cref="RunMode.All"/>, the server's and the bots'); two runs at once in one process would read
/// each other's owners. Every member is thread-safe. Disposing stops listening; the figures stay.
/// </remarks>
public sealed class LifetimeMeterReader : IDisposable
{
    private static readonly Dictionary<string, TokenEndCause> s_causes = CauseTags();
    private static readonly string[] s_variants = ["renew", "renew_after", "renew_linked", "renew_linked_after", "renew_owned"];

    private readonly MeterListener _listener = new();
    private readonly long[] _ended = new long[Enum.GetValues<TokenEndCause>().Length];
    private readonly long[] _renews = new long[s_variants.Length];
    private long _sourcesLive;
    private long _sourcesPeak;
    private long _callbackExceptions;
    private long _ownersLive;

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
    }

    /// <summary>Gets the sources the owners hold now (created while listening, not yet disposed).</summary>
    public long SourcesLive => Volatile.Read(ref _sourcesLive);

    /// <summary>Gets the most sources held at once while listening.</summary>
    public long SourcesPeak => Volatile.Read(ref _sourcesPeak);

    /// <summary>Gets how many tokens renews handed out (<c>lifetime.renews</c>, every variant).</summary>
    public long Renews => Sum(_renews);

    /// <summary>Gets how many tokens ended, every cause (<c>lifetime.tokens.ended</c>).</summary>
    public long TokensEndedTotal => Sum(_ended);

    /// <summary>Gets how many exceptions cancellation callbacks threw (<c>lifetime.callback.exceptions</c>).</summary>
    public long CallbackExceptions => Volatile.Read(ref _callbackExceptions);

    /// <summary>Gets the owners alive now (<c>lifetime.owners.live</c>, absolute: observed on each read).</summary>
    public long OwnersLive
    {
        get
        {
            _listener.RecordObservableInstruments();
            return Volatile.Read(ref _ownersLive);
        }
    }

    /// <summary>Gets how many tokens renews of one variant handed out.</summary>
    /// <param name="variant">The <c>variant</c> tag: <c>renew</c>, <c>renew_after</c>, <c>renew_linked</c>, <c>renew_linked_after</c> or <c>renew_owned</c>.</param>
    /// <returns>The count; 0 for a variant the meter does not have.</returns>
    public long RenewsOf(string variant)
    {
        var index = Array.IndexOf(s_variants, variant);
        return index < 0 ? 0 : Volatile.Read(ref _renews[index]);
    }

    /// <summary>Gets how many tokens ended with <paramref name="cause"/> (the <c>cause</c> tag of <c>lifetime.tokens.ended</c>).</summary>
    /// <param name="cause">The end cause.</param>
    /// <returns>The count.</returns>
    public long TokensEnded(TokenEndCause cause) => Volatile.Read(ref _ended[(int)cause]);

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

    /// <summary>Stops listening; the figures read so far stay.</summary>
    public void Dispose() => _listener.Dispose();

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
        for (var i = 0; i < counts.Length; i++)
        {
            sum += Volatile.Read(ref counts[i]);
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

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case "lifetime.sources.live":
                InterlockedMax.Raise(ref _sourcesPeak, Interlocked.Add(ref _sourcesLive, value));
                break;

            case "lifetime.renews":
                var variant = Array.IndexOf(s_variants, Tag(tags, "variant"));
                if (variant >= 0)
                {
                    Interlocked.Add(ref _renews[variant], value);
                }

                break;

            case "lifetime.tokens.ended":
                if (Tag(tags, "cause") is { } cause && s_causes.TryGetValue(cause, out var endCause))
                {
                    Interlocked.Add(ref _ended[(int)endCause], value);
                }

                break;

            case "lifetime.callback.exceptions":
                Interlocked.Add(ref _callbackExceptions, value);
                break;

            case "lifetime.owners.live":
                Volatile.Write(ref _ownersLive, value);
                break;
        }
    }
}
