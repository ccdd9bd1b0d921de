using NGGen.IO;

namespace NGGen.Samples.EdgeTrainer;

/// <summary>The <c>inspect</c> command: verifies a checkpoint or parameter file for a model and prints what it holds.</summary>
public static class Inspect
{
    /// <summary>Checks <see cref="CommandLine.Operand"/> for <typeparamref name="TModel"/> and lists metadata and tensors.</summary>
    public static int Run<TModel>(CommandLine line, TextWriter output) where TModel : IModel<TModel>
    {
        string path = line.Operand ?? throw CommandLine.Usage("inspect needs the file: inspect FILE.safetensors [--model NAME].");
        var checkpoint = Trainer.LoadVerified<TModel>(path);
        output.WriteLine($"{path}: verified for {TModel.Name} (format, checksum, model, layout, parameters)");
        foreach (var (key, value) in checkpoint.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
            output.WriteLine($"  {key} = {value}");
        foreach (var parameter in TModel.Parameters)
        {
            var values = checkpoint.Theta.AsSpan(parameter.Offset, parameter.Length);
            double norm = 0;
            foreach (double v in values)
                norm += v * v;
            output.WriteLine(FormattableString.Invariant($"  tensor {parameter.Name} [{string.Join(", ", parameter.Shape)}]  ‖·‖₂ = {Math.Sqrt(norm):E4}"));
        }
        if (checkpoint.Solver is { } state)
            output.WriteLine($"  solver state: {state.Solver}, scalars {string.Join(", ", state.Scalars.Keys)}, vectors {string.Join(", ", state.Vectors.Keys)}");
        return ExitCodes.Success;
    }
}
