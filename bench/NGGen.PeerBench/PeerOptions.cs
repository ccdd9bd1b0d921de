namespace NGGen.PeerBench;

/// <summary>Command-line options shared by every benchmark group.</summary>
/// <param name="Groups">Groups to run, in order.</param>
/// <param name="DataDirectory">Where inputs and reference outputs are written for the peers.</param>
/// <param name="Quick">Smallest sizes and short timing, for a smoke run.</param>
/// <param name="Widths">Only these MLP widths (empty: the group's own list).</param>
/// <param name="Batches">Only these batch sizes (empty: the group's own list).</param>
public sealed record PeerOptions(IReadOnlyList<string> Groups, string DataDirectory, bool Quick, IReadOnlyList<int> Widths, IReadOnlyList<int> Batches)
{
    public const string Usage = "usage: NGGen.PeerBench --group peak|mlp|gncg|engd|fits|writes|shards|alignment [--group …] [--data DIR] [--quick] [--min-seconds S] [--width W]… [--batch B]…";

    /// <summary>The MLP widths asked for with --width, else the group's <paramref name="quick"/> or <paramref name="full"/> list.</summary>
    public IReadOnlyList<int> WidthsOr(IReadOnlyList<int> quick, IReadOnlyList<int> full) => Widths.Count > 0 ? Widths : Quick ? quick : full;

    /// <summary>The batches asked for with --batch, else the group's <paramref name="quick"/> or <paramref name="full"/> list.</summary>
    public IReadOnlyList<int> BatchesOr(IReadOnlyList<int> quick, IReadOnlyList<int> full) => Batches.Count > 0 ? Batches : Quick ? quick : full;

    /// <summary>Directory for one group's files, created on demand.</summary>
    public string GroupDirectory(string group) => Directory.CreateDirectory(Path.Combine(DataDirectory, group)).FullName;

    /// <summary>Parses the arguments; prints the problem and usage to stderr and returns null when they are wrong.</summary>
    public static PeerOptions? Parse(string[] args)
    {
        var groups = new List<string>();
        string data = Path.Combine("out", "peers");
        bool quick = false;
        var widths = new List<int>();
        var batches = new List<int>();
        for (int i = 0; i < args.Length; i++)
        {
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--group":
                    if (Value() is not { } g) return Fail("--group needs a name");
                    groups.AddRange(g.Split(',', StringSplitOptions.RemoveEmptyEntries));
                    break;
                case "--data":
                    if (Value() is not { } d) return Fail("--data needs a directory");
                    data = d;
                    break;
                case "--width" or "--batch":
                    string option = args[i];
                    if (!int.TryParse(Value(), out int size) || size < 1)
                        return Fail($"{option} needs a positive integer");
                    (option == "--width" ? widths : batches).Add(size);
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--min-seconds":
                    if (!double.TryParse(Value(), System.Globalization.CultureInfo.InvariantCulture, out double s) || !(s > 0))
                        return Fail("--min-seconds needs a positive number");
                    Measure.MinSeconds = s;
                    break;
                default:
                    return Fail($"unknown argument '{args[i]}'");
            }
        }
        if (groups.Count == 0)
            return Fail("no --group given");
        if (quick)
        {
            Measure.MinSeconds = Math.Min(Measure.MinSeconds, 0.1);
            Measure.WarmupSeconds = 0.05;
            Measure.MinRepetitions = 3;
        }
        return new PeerOptions(groups, data, quick, widths, batches);
    }

    private static PeerOptions? Fail(string problem)
    {
        Console.Error.WriteLine($"NGGen.PeerBench: {problem}.");
        Console.Error.WriteLine(Usage);
        return null;
    }
}
