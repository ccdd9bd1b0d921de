namespace NGGen.Samples;

/// <summary>The command line every sample takes: <c>--full</c> (the paper-sized run), <c>--json PATH</c>
/// (figures for scripts), <c>--plots DIR</c> (where the SVG plots go; default <c>out/&lt;sample&gt;</c>)
/// and <c>--seed N</c>.</summary>
public sealed record SampleOptions(bool Full, string? JsonPath, string PlotDirectory, int Seed)
{
    /// <summary>Parses <paramref name="args"/>; on a bad argument returns null and writes the problem and the usage to
    /// <paramref name="error"/>.</summary>
    public static SampleOptions? Parse(string sampleName, string[] args, TextWriter error)
    {
        bool full = false;
        string? json = null;
        string plots = Path.Combine("out", sampleName);
        int seed = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            bool hasValue = i + 1 < args.Length;
            switch (arg)
            {
                case "--full":
                    full = true;
                    break;
                case "--json" when hasValue:
                    json = args[++i];
                    break;
                case "--plots" when hasValue:
                    plots = args[++i];
                    break;
                case "--seed" when hasValue && int.TryParse(args[i + 1], out int s) && s >= 0:
                    seed = s;
                    i++;
                    break;
                default:
                    error.WriteLine(arg is "--json" or "--plots" or "--seed"
                        ? $"Option '{arg}' needs a value{(arg == "--seed" ? " (a non-negative integer)" : "")}."
                        : $"Unknown argument '{arg}'.");
                    error.WriteLine($"Usage: {sampleName} [--full] [--json PATH] [--plots DIR] [--seed N]");
                    return null;
            }
        }
        return new SampleOptions(full, json, plots, seed);
    }

    /// <summary>The path of plot <paramref name="fileName"/>, creating the plot directory if needed.</summary>
    public string PlotPath(string fileName)
    {
        Directory.CreateDirectory(PlotDirectory);
        return Path.Combine(PlotDirectory, fileName);
    }
}
