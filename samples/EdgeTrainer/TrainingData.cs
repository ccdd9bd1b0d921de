using System.Runtime.InteropServices;
using NGGen.IO;

namespace NGGen.Samples.EdgeTrainer;

/// <summary>A data file split into a model's inputs and targets, feature-major, with a CRC-32C of its content so a
/// resume can tell whether it is training on the same data as the checkpoint.</summary>
public sealed record TrainingData(string Path, int Rows, double[] Inputs, double[]? Targets, string ContentHash)
{
    /// <summary>Reads <paramref name="path"/> (.csv or .npy) for a model with <paramref name="inputs"/> inputs and
    /// <paramref name="targets"/> targets per sample: the first columns are the inputs, the last the targets.</summary>
    public static TrainingData Load(string path, string model, int inputs, int targets)
    {
        var table = ReadTable(path);
        if (table.Columns != inputs + targets)
            throw new TrainerException(ExitCodes.BadData,
                $"{path}: {table.Columns} columns ({string.Join(", ", table.ColumnNames)}), but {model} takes {inputs} input{(inputs == 1 ? "" : "s")} and {targets} target{(targets == 1 ? "" : "s")}: {inputs + targets} columns, inputs first.");
        return new TrainingData(path, table.Rows, table.FeatureMajor(0, inputs), table.FeatureMajor(inputs, targets), Hash(table));
    }

    /// <summary>Reads a file of inputs alone, or of inputs followed by targets (then <see cref="Targets"/> is set; else it is null).</summary>
    public static TrainingData LoadInputs(string path, string model, int inputs, int targets)
    {
        var table = ReadTable(path);
        if (table.Columns != inputs && table.Columns != inputs + targets)
            throw new TrainerException(ExitCodes.BadData,
                $"{path}: {table.Columns} columns ({string.Join(", ", table.ColumnNames)}), but {model} takes {inputs} input{(inputs == 1 ? "" : "s")}: give {inputs} columns, or {inputs + targets} with the targets last.");
        return new TrainingData(path, table.Rows, table.FeatureMajor(0, inputs), table.Columns == inputs ? null : table.FeatureMajor(inputs, targets), Hash(table));
    }

    private static NumericTable ReadTable(string path)
    {
        NumericTable table;
        try
        {
            table = System.IO.Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".csv" => CsvTable.Read(path),
                ".npy" => NpyFile.Read(path),
                _ => throw new TrainerException(ExitCodes.BadData, $"{path}: unknown data format '{System.IO.Path.GetExtension(path)}'; give a .csv or .npy file."),
            };
        }
        catch (DataFileException e)
        {
            throw new TrainerException(ExitCodes.BadData, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrainerException(ExitCodes.BadData, $"{path}: cannot be read: {e.Message}");
        }
        return table;
    }

    // Shape and values: the same numbers in another shape are other data.
    private static string Hash(NumericTable table)
    {
        uint crc = Crc32C.Append(Crc32C.Start, MemoryMarshal.AsBytes<int>([table.Rows, table.Columns]));
        return Crc32C.Finish(Crc32C.Append(crc, MemoryMarshal.AsBytes<double>(table.Values)));
    }
}
