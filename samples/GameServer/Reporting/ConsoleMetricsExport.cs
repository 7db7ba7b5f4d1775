using System;
using Lifetime;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace GameServer.Reporting;

/// <summary>The <c>--metrics</c> option: the <c>Lifetime</c> meter exported to the console through OpenTelemetry.</summary>
public static class ConsoleMetricsExport
{
    /// <summary>Starts exporting every <paramref name="interval"/>; disposing the provider exports once more and stops.</summary>
    /// <param name="interval">The time between exports.</param>
    /// <returns>The meter provider; dispose it at the end of the run.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive.</exception>
    public static MeterProvider Start(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return Sdk.CreateMeterProviderBuilder()
            .AddMeter(TokenOwner.MeterName)
            .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Min(interval.TotalMilliseconds, int.MaxValue))
            .Build();
    }
}
