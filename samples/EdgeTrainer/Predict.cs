using NGGen.IO;

namespace NGGen.Samples.EdgeTrainer;

/// <summary>The <c>predict</c> command: a trained parameter file applied to a data file's inputs, predictions written as
/// CSV or .npy (one row per sample), with the RMSE against the targets when the file has them.</summary>
public static class Predict
{
    /// <summary>Options of <c>predict</c> that take a value.</summary>
    public static readonly string[] ValuedOptions = ["--model", "--params", "--data", "--out"];

    /// <summary>Runs <c>predict</c> for <typeparamref name="TModel"/>.</summary>
    public static int Run<TModel>(CommandLine line, string modelName, TextWriter output) where TModel : IModel<TModel>
    {
        var function = TModel.Functions[0];
        string outPath = line.OutputFile("--out") ?? throw CommandLine.Usage("option '--out' is required for 'predict'.");
        string extension = Path.GetExtension(outPath).ToLowerInvariant();
        if (extension is not (".csv" or ".npy"))
            throw CommandLine.Usage($"option '--out': predictions are written as .csv or .npy, not '{extension}'.");
        var theta = Trainer.LoadVerified<TModel>(line.Required("--params")).Theta;
        // The data may hold the inputs alone, or the inputs followed by the targets (then the RMSE is reported).
        var data = TrainingData.LoadInputs(line.Required("--data"), modelName, function.InputSize, function.OutputSize);
        var predictions = new double[function.OutputSize * data.Rows];
        TModel.Forward<double>(0, theta, data.Inputs, data.Rows, predictions, new double[TModel.WorkspaceLength(0, EvaluationKind.Forward, data.Rows)]);

        // Feature-major (output i of sample s at i·rows + s) to one row per sample.
        int outputs = function.OutputSize;
        var rows = new double[predictions.Length];
        for (int s = 0; s < data.Rows; s++)
            for (int i = 0; i < outputs; i++)
                rows[s * outputs + i] = predictions[i * data.Rows + s];
        try
        {
            if (extension == ".npy")
                NpyFile.Write<double>(outPath, rows, data.Rows, outputs);
            else
                CsvTable.Write(outPath, Enumerable.Range(1, outputs).Select(i => outputs == 1 ? "prediction" : $"prediction{i}").ToArray(), data.Rows, rows);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrainerException(ExitCodes.WriteFailed, $"{outPath}: could not be written ({e.Message}); nothing was replaced.");
        }
        string rmse = data.Targets is { } targets
            ? FormattableString.Invariant($"; RMSE against the file's targets {Math.Sqrt(predictions.Zip(targets, (p, y) => (p - y) * (p - y)).Sum() / predictions.Length):E4}")
            : "";
        output.WriteLine($"wrote {data.Rows} predictions of {modelName} to {outPath}{rmse}");
        return ExitCodes.Success;
    }
}
