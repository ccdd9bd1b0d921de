using NGGen.IO;

namespace NGGen.Samples.EdgeTrainer;

/// <summary>The <c>make-data</c> command: a reproducible data set for a model, as CSV (with a header) or .npy.</summary>
public static class SyntheticData
{
    /// <summary>Options of <c>make-data</c> that take a value.</summary>
    public static readonly string[] ValuedOptions = ["--model", "--rows", "--seed", "--noise"];

    /// <summary>Writes <see cref="CommandLine.Operand"/> with samples of the model's target function plus noise.</summary>
    public static int Run(CommandLine line, ModelEntry model, TextWriter output)
    {
        string path = line.Operand ?? throw CommandLine.Usage("make-data needs the file to write: make-data FILE.csv|FILE.npy.");
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".csv" or ".npy"))
            throw CommandLine.Usage($"make-data writes .csv or .npy files, not '{extension}'.");
        if (!Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(path))))
            throw CommandLine.Usage($"make-data: the directory of '{path}' does not exist.");
        if (Directory.Exists(path))
            throw CommandLine.Usage($"make-data: '{path}' is a directory; give a file name.");
        int rows = line.Integer("--rows", 256, 1, 10_000_000);
        int seed = line.Integer("--seed", 1, 0, int.MaxValue);
        double noise = line.Number("--noise", 0.01, -1e-300, 1e6);
        var random = new Random(seed);
        int columns = model.Inputs + 1;
        var values = new double[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            var row = values.AsSpan(r * columns, columns);
            model.Sample(random, row);
            // Box-Muller: Gaussian noise from two uniforms.
            row[^1] += noise * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }
        try
        {
            Write(path, extension, model, rows, columns, values);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrainerException(ExitCodes.WriteFailed, $"{path}: could not be written ({e.Message}); nothing was replaced.");
        }
        output.WriteLine($"wrote {rows} rows of {model.Name} data ({model.Inputs} input{(model.Inputs == 1 ? "" : "s")}, 1 target) to {path}");
        return ExitCodes.Success;
    }

    private static void Write(string path, string extension, ModelEntry model, int rows, int columns, double[] values)
    {
        if (extension == ".npy")
            NpyFile.Write<double>(path, values, rows, columns);
        else
            CsvTable.Write(path, [.. Enumerable.Range(1, model.Inputs).Select(i => $"x{i}"), "y"], rows, values);
    }
}
