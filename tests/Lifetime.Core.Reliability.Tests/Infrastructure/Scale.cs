using System;
using System.Globalization;

namespace Lifetime.Reliability.Tests.Infrastructure;

/// <summary>
/// Counts and seeds of the suite. <c>LIFETIME_SOAK=N</c> multiplies every count (long soak runs);
/// <c>LIFETIME_SEED=S</c> replays one failing sequence, round or schedule printed by a failure.
/// </summary>
public static class Scale
{
    /// <summary>
    /// The multiplier of every count: 1 unless <c>LIFETIME_SOAK</c> says otherwise (a whole number for a
    /// soak; the capped thread-pool child run uses a fraction).
    /// </summary>
    public static double Factor { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("LIFETIME_SOAK"), NumberStyles.Float, CultureInfo.InvariantCulture, out var soak) && soak > 0 ? soak : 1;

    /// <summary>The soak multiplier as written in figures.</summary>
    public static string Soak => Factor.ToString(CultureInfo.InvariantCulture);

    /// <summary>The seed to replay alone, when <c>LIFETIME_SEED</c> is set.</summary>
    public static int? ReplaySeed { get; } = ReadInt("LIFETIME_SEED");

    /// <summary>
    /// Whether race and history runs go on after a failure (<c>LIFETIME_KEEP_GOING=1</c>) and report how
    /// many schedules or rounds failed, with the first few, instead of stopping at the first: to measure
    /// how often a checker catches a bug.
    /// </summary>
    public static bool KeepGoing { get; } = Environment.GetEnvironmentVariable("LIFETIME_KEEP_GOING") is "1";

    /// <summary><paramref name="baseCount"/> times the soak multiplier.</summary>
    public static int Of(int baseCount) => Math.Max(1, checked((int)Math.Round(baseCount * Factor)));

    /// <summary>A fresh master seed for a run (printed with every failure).</summary>
    public static int NewMasterSeed() => Random.Shared.Next();

    /// <summary>The seed of item <paramref name="index"/> of a run: a cheap, well-spread mix.</summary>
    public static int Derive(int masterSeed, int index)
    {
        var x = (uint)masterSeed * 0x9E3779B1u ^ (uint)index * 0x85EBCA77u;
        x ^= x >> 15;
        x *= 0x2C1B3C6Du;
        x ^= x >> 12;
        return (int)(x & 0x7FFFFFFF);
    }

    private static int? ReadInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
