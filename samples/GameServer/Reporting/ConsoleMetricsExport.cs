using System;
using Lifetime;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace GameServer.Reporting;

/// <summary>The <c>--metrics</c> option: the <c>Lifetime</c> meter exported to the console through OpenTelemetry.</summary>
public static class ConsoleMetricsExport
{
    /// <summary>
    /// Starts exporting every <paramref name="interval"/>; disposing the provider exports once more and stops.
    /// <c>lifetime.processing.duration</c> gets buckets from 1 µs to 1 s: OpenTelemetry's default buckets
    /// are made for milliseconds and would put every sample in the first one.
    /// </summary>
    /// <param name="serviceName">The <c>service.name</c> the export carries.</param>
    /// <param name="interval">The time between exports.</param>
    /// <returns>The meter provider; dispose it at the end of the run.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive.</exception>
    public static MeterProvider Start(string serviceName, TimeSpan interval)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .AddMeter(TokenOwner.MeterName)
            .AddView("lifetime.processing.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1] })
            .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Min(interval.TotalMilliseconds, int.MaxValue))
            .Build();
    }
}
