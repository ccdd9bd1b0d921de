using System.Globalization;

namespace NGGen.Samples.EdgeTrainer;

/// <summary>
/// A parsed command line: <c>COMMAND [FILE] --option value … --flag</c>. Every problem (unknown or repeated option,
/// missing value, a number that does not parse or is out of range) is a <see cref="TrainerException"/> with
/// <see cref="ExitCodes.Usage"/> that names the option.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    private CommandLine(string command, string? operand)
    {
        Command = command;
        Operand = operand;
    }

    /// <summary>The command (train, make-data, inspect).</summary>
    public string Command { get; }

    /// <summary>The file operand, for commands that take one.</summary>
    public string? Operand { get; }

    /// <summary>Parses <paramref name="args"/>: <paramref name="valued"/> options take a value, <paramref name="flags"/> do not.</summary>
    public static CommandLine Parse(string[] args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags, bool takesOperand)
    {
        var line = new CommandLine(args[0], takesOperand && args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : null);
        if (line.Operand is { } operand && operand.Trim().Length == 0)
            throw Usage($"'{line.Command}' was given an empty file name.");
        for (int i = line.Operand is null ? 1 : 2; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw Usage($"unexpected argument '{arg}'{(takesOperand ? " (the file comes right after the command)" : "")}.");
            bool isFlag = flags.Contains(arg);
            if (!isFlag && !valued.Contains(arg))
                throw Usage($"unknown option '{arg}' for '{line.Command}'.");
            if (line._values.ContainsKey(arg))
                throw Usage($"option '{arg}' is given twice.");
            if (isFlag)
            {
                line._values[arg] = null;
                continue;
            }
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                throw Usage($"option '{arg}' needs a value.");
            if (args[i + 1].Trim().Length == 0)
                throw Usage($"option '{arg}' has an empty value.");
            line._values[arg] = args[++i];
        }
        return line;
    }

    /// <summary>True when <paramref name="flag"/> was given.</summary>
    public bool Has(string flag) => _values.ContainsKey(flag);

    /// <summary>The value of <paramref name="option"/>, or null.</summary>
    public string? Text(string option) => _values.GetValueOrDefault(option);

    /// <summary>The value of a required option.</summary>
    public string Required(string option) => Text(option) ?? throw Usage($"option '{option}' is required for '{Command}'.");

    /// <summary>An integer option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Integer(string option, int fallback, int min, int max)
    {
        if (Text(option) is not { } text)
            return fallback;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw Usage($"option '{option}' takes an integer, got '{text}'.");
        if (value < min || value > max)
            throw Usage($"option '{option}' is {value}; it must be between {min} and {max}.");
        return value;
    }

    /// <summary>A finite number option in (<paramref name="exclusiveMin"/>, <paramref name="max"/>].</summary>
    public double Number(string option, double fallback, double exclusiveMin, double max)
    {
        if (Text(option) is not { } text)
            return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw Usage($"option '{option}' takes a finite number, got '{text}'.");
        if (!(value > exclusiveMin) || value > max)
            throw Usage($"option '{option}' is {text}; it must be greater than {exclusiveMin.ToString(CultureInfo.InvariantCulture)} and at most {max.ToString(CultureInfo.InvariantCulture)}.");
        return value;
    }

    /// <summary>One of <paramref name="choices"/>.</summary>
    public string Choice(string option, string fallback, params string[] choices)
    {
        string value = Text(option) ?? fallback;
        if (!choices.Contains(value))
            throw Usage($"option '{option}' is '{value}'; choose one of {string.Join(", ", choices)}.");
        return value;
    }

    /// <summary>A file to be written: its directory must exist, and it must not be a directory.</summary>
    public string? OutputFile(string option)
    {
        if (Text(option) is not { } path)
            return null;
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (Directory.Exists(path))
            throw Usage($"option '{option}' names the directory '{path}'; give a file name.");
        if (!Directory.Exists(directory))
            throw Usage($"option '{option}': the directory '{directory}' does not exist.");
        return path;
    }

    /// <summary>A usage error.</summary>
    public static TrainerException Usage(string message) => new(ExitCodes.Usage, message);
}
