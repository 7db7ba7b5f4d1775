using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace GameServer.CommandLine;

/// <summary>
/// The command line of a sample: its options, the usage text made from them, and the parser that applies
/// them. Accepts <c>--name value</c> and <c>--name=value</c>; <c>--help</c>, <c>-h</c> and <c>-?</c> ask
/// for the usage text. Every error names the option and says what a valid value is.
/// </summary>
public sealed class CommandLineParser
{
    private const int HelpColumn = 27;
    private readonly CommandLineOption[] _options;
    private readonly string _command;
    private readonly string? _description;
    private readonly string? _footer;

    /// <summary>Creates a command line.</summary>
    /// <param name="command">The command that runs the sample, for the first line of the usage text.</param>
    /// <param name="description">A paragraph under it, or <see langword="null"/>.</param>
    /// <param name="options">The options, in the order the usage text lists them.</param>
    /// <param name="footer">Lines after the options (value formats, exit codes), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">Two options have the same name.</exception>
    public CommandLineParser(string command, string? description, IEnumerable<CommandLineOption> options, string? footer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(options);
        _command = command;
        _description = description;
        _options = options.ToArray();
        _footer = footer;
        var duplicate = _options.GroupBy(o => o.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two options are named {duplicate.Key}.", nameof(options));
        }
    }

    /// <summary>Gets the options.</summary>
    public IReadOnlyList<CommandLineOption> Options => _options;

    /// <summary>Gets the usage text: the command, the description, one line per option, the footer.</summary>
    public string Usage
    {
        get
        {
            var text = new StringBuilder();
            text.Append("Usage: ").Append(_command).Append(" [options]\n\n");
            if (_description is not null)
            {
                text.Append(_description.TrimEnd()).Append("\n\n");
            }

            foreach (var option in _options)
            {
                var head = option.IsFlag ? option.Name : $"{option.Name} {option.ValueName}";
                text.Append("  ").Append(head.PadRight(HelpColumn - 3)).Append(' ').Append(option.Help).Append('\n');
            }

            text.Append("  ").Append("--help".PadRight(HelpColumn - 3)).Append(" this text, to standard output\n");
            if (_footer is not null)
            {
                text.Append('\n').Append(_footer.TrimEnd()).Append('\n');
            }

            return text.ToString();
        }
    }

    /// <summary>Applies <paramref name="args"/> to the options, in order.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="help">Whether the usage text was asked for (then the rest is not parsed).</param>
    /// <param name="error">What was wrong, naming the option and the values it takes; <see langword="null"/> when valid.</param>
    /// <returns>Whether the arguments were valid (or help was asked for).</returns>
    public bool TryParse(IReadOnlyList<string> args, out bool help, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        help = false;
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i] ?? string.Empty;
            if (arg is "--help" or "-h" or "-?")
            {
                help = true;
                return true;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            var option = Array.Find(_options, o => o.Name == name);
            if (option is null)
            {
                error = arg.StartsWith('-') ? $"Unknown option {name}." : $"Unexpected argument \"{arg}\": options start with --.";
                return false;
            }

            string value;
            if (option.IsFlag)
            {
                if (equals >= 0)
                {
                    error = $"{name} is a flag and takes no value (got \"{arg}\").";
                    return false;
                }

                value = string.Empty;
            }
            else if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i] ?? string.Empty;
            }
            else
            {
                error = $"{name} needs a value: {option.Expected}.";
                return false;
            }

            if (!option.TryApply(value))
            {
                error = $"{name} needs {option.Expected} (got \"{value}\").";
                return false;
            }
        }

        return true;
    }
}
