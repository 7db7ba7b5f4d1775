using System;
using System.Globalization;

namespace GameServer.CommandLine;

/// <summary>
/// One option of a sample's command line: its name, what its value is, its help line, and what it does
/// with the value. Both <c>--name value</c> and <c>--name=value</c> are accepted; a flag takes no value.
/// </summary>
public sealed class CommandLineOption
{
    private readonly Func<string, bool> _apply;

    private CommandLineOption(string name, string? valueName, string help, string? expected, Func<string, bool> apply)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(help);
        if (!name.StartsWith("--", StringComparison.Ordinal) || name.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException($"An option name starts with -- and has no '=': \"{name}\".", nameof(name));
        }

        Name = name;
        ValueName = valueName;
        Help = help;
        Expected = expected;
        _apply = apply;
    }

    /// <summary>Gets the option's name, with its leading <c>--</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the placeholder of its value in the usage text (<c>N</c>, <c>T</c>), or <see langword="null"/> for a flag.</summary>
    public string? ValueName { get; }

    /// <summary>Gets the help line, default included.</summary>
    public string Help { get; }

    /// <summary>Gets what a valid value is, as error messages say it (<c>a whole number from 1 to 100000</c>); <see langword="null"/> for a flag.</summary>
    public string? Expected { get; }

    /// <summary>Gets whether the option is a flag, which takes no value.</summary>
    public bool IsFlag => ValueName is null;

    /// <summary>Creates an option whose value is a whole number in a range.</summary>
    /// <param name="name">The name, with its leading <c>--</c>.</param>
    /// <param name="valueName">The placeholder in the usage text.</param>
    /// <param name="help">The help line.</param>
    /// <param name="min">The smallest value accepted.</param>
    /// <param name="max">The largest value accepted.</param>
    /// <param name="set">Receives the value.</param>
    /// <returns>The option.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is below <paramref name="min"/>.</exception>
    public static CommandLineOption Int(string name, string valueName, string help, int min, int max, Action<int> set)
        => Ranged(name, valueName, help, "a whole number", min, max, static (string text, out int value) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value), set);

    /// <summary>Creates an option whose value is a number (fractions allowed) in a range.</summary>
    /// <param name="name">The name, with its leading <c>--</c>.</param>
    /// <param name="valueName">The placeholder in the usage text.</param>
    /// <param name="help">The help line.</param>
    /// <param name="min">The smallest value accepted.</param>
    /// <param name="max">The largest value accepted.</param>
    /// <param name="set">Receives the value.</param>
    /// <returns>The option.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is below <paramref name="min"/>.</exception>
    public static CommandLineOption Number(string name, string valueName, string help, double min, double max, Action<double> set)
        => Ranged(name, valueName, help, "a number", min, max, static (string text, out double value) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value), set);

    /// <summary>
    /// Creates an option whose value is a time: a number of seconds (<c>10</c>), or a number with <c>ms</c>,
    /// <c>s</c> or <c>m</c> (<c>500ms</c>, <c>10s</c>, <c>2m</c>), in a range.
    /// </summary>
    /// <param name="name">The name, with its leading <c>--</c>.</param>
    /// <param name="help">The help line.</param>
    /// <param name="min">The shortest time accepted.</param>
    /// <param name="max">The longest time accepted.</param>
    /// <param name="set">Receives the value.</param>
    /// <returns>The option.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is below <paramref name="min"/>.</exception>
    public static CommandLineOption Time(string name, string help, TimeSpan min, TimeSpan max, Action<TimeSpan> set)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ArgumentNullException.ThrowIfNull(set);
        return new(name, "T", help, $"a time from {FormatTime(min)} to {FormatTime(max)} (seconds, or a number with ms, s or m: 500ms, 10s, 2m)", text =>
        {
            var ok = TryParseTime(text, out var value) && value >= min && value <= max;
            if (ok)
            {
                set(value);
            }

            return ok;
        });
    }

    /// <summary>Creates an option whose value is one of an enum's names (any case).</summary>
    /// <typeparam name="TEnum">The enum.</typeparam>
    /// <param name="name">The name, with its leading <c>--</c>.</param>
    /// <param name="help">The help line.</param>
    /// <param name="set">Receives the value.</param>
    /// <returns>The option; its placeholder lists the names in lower case.</returns>
    public static CommandLineOption Choice<TEnum>(string name, string help, Action<TEnum> set)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(set);
        var names = string.Join('|', Enum.GetNames<TEnum>()).ToLowerInvariant();
        return new(name, names, help, $"one of {names.Replace("|", ", ", StringComparison.Ordinal)}", text =>
        {
            // Names only: Enum.TryParse would also take numbers.
            if (int.TryParse(text, out _) || !Enum.TryParse(text, ignoreCase: true, out TEnum value) || !Enum.IsDefined(value))
            {
                return false;
            }

            set(value);
            return true;
        });
    }

    /// <summary>Creates a flag: an option that takes no value.</summary>
    /// <param name="name">The name, with its leading <c>--</c>.</param>
    /// <param name="help">The help line.</param>
    /// <param name="set">Runs when the flag is given.</param>
    /// <returns>The option.</returns>
    public static CommandLineOption Flag(string name, string help, Action set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return new(name, null, help, null, _ =>
        {
            set();
            return true;
        });
    }

    /// <summary>Parses a time as the options take it.</summary>
    /// <param name="text">Seconds (<c>10</c>, <c>0.5</c>), or a number with <c>ms</c>, <c>s</c> or <c>m</c>.</param>
    /// <param name="value">The time, when valid.</param>
    /// <returns>Whether <paramref name="text"/> was a time of at most a day.</returns>
    public static bool TryParseTime(string text, out TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        var ok = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0 && amount * unit <= 86_400;
        value = ok ? TimeSpan.FromSeconds(amount * unit) : TimeSpan.Zero;
        return ok;
    }

    private static CommandLineOption Ranged<T>(string name, string valueName, string help, string kind, T min, T max, TryParse<T> parse, Action<T> set)
        where T : IComparable<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ArgumentNullException.ThrowIfNull(set);
        return new(name, valueName, help, string.Create(CultureInfo.InvariantCulture, $"{kind} from {min} to {max}"), text =>
        {
            // NaN compares below every number, so the range check refuses it.
            var ok = parse(text, out var value) && value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0;
            if (ok)
            {
                set(value);
            }

            return ok;
        });
    }

    /// <summary>Applies a value to the option.</summary>
    /// <param name="value">The value; ignored by a flag.</param>
    /// <returns>Whether the value was valid (and applied).</returns>
    internal bool TryApply(string value) => _apply(value);

    private delegate bool TryParse<T>(string text, out T value);

    private static string FormatTime(TimeSpan time) => time.TotalMilliseconds < 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:0.###}ms")
        : time.TotalSeconds < 60 || time.TotalSeconds % 60 != 0
            ? string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.###}s")
            : string.Create(CultureInfo.InvariantCulture, $"{time.TotalMinutes:0.###}m");
}
