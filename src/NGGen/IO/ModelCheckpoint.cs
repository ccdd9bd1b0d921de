using System.Globalization;
using System.Text;

namespace NGGen.IO;

/// <summary>A checkpoint or parameter file as loaded and verified.</summary>
/// <param name="Path">The file.</param>
/// <param name="Iteration">The iteration after which it was written (0 for initial parameters).</param>
/// <param name="Theta">The flat parameter vector, in the model's layout.</param>
/// <param name="Solver">The solver state, when the file has one.</param>
/// <param name="Metadata">All metadata entries, NGGen's and the writer's notes.</param>
public sealed record LoadedCheckpoint(string Path, long Iteration, double[] Theta, SolverState? Solver, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Parameters and solver state of a generated model in a safetensors file: one F64 tensor per parameter, named and
/// shaped as declared (so any safetensors reader sees W1, b1, …), the solver's vectors as <c>solver.&lt;name&gt;</c>,
/// and metadata <c>nggen.format</c>, <c>nggen.model</c>, <c>nggen.layout</c>, <c>nggen.layout_hash</c>,
/// <c>nggen.iteration</c>, <c>nggen.solver</c>, <c>nggen.solver.&lt;scalar&gt;</c>, the writer's notes, and
/// <c>nggen.checksum</c>: a CRC-32C over every other metadata entry, every tensor's name, dtype and shape, and the
/// data. <see cref="Save{TModel}"/> writes atomically and verifies the flushed file before it replaces the target;
/// <see cref="Load{TModel}"/> refuses a file at the first failing check, in <see cref="CheckpointCheck"/> order.
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>The value of <c>nggen.format</c> this version writes and reads.</summary>
    public const string Format = "nggen-checkpoint/1";

    private const string SolverTensorPrefix = "solver.";
    private const string SolverScalarPrefix = "nggen.solver.";

    /// <summary>The file's bytes for θ after <paramref name="iteration"/>, with optional solver state and notes
    /// (extra metadata; keys must not start with <c>nggen.</c>).</summary>
    public static byte[] Serialize<TModel>(ReadOnlySpan<double> theta, long iteration, SolverState? solver = null,
        IReadOnlyDictionary<string, string>? notes = null) where TModel : IModel<TModel>
    {
        if (theta.Length != TModel.ParameterCount)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {TModel.ParameterCount} parameters.", nameof(theta));
        var writer = new SafeTensorsWriter();
        foreach (var parameter in TModel.Parameters)
            writer.AddDoubles(parameter.Name, theta.Slice(parameter.Offset, parameter.Length), parameter.Shape);
        var metadata = writer.Metadata;
        if (notes is not null)
            foreach (var (key, value) in notes)
            {
                if (key.StartsWith("nggen.", StringComparison.Ordinal))
                    throw new ArgumentException($"note '{key}': keys starting with 'nggen.' are NGGen's own.", nameof(notes));
                metadata[key] = value;
            }
        metadata["nggen.format"] = Format;
        metadata["nggen.model"] = TModel.Name;
        metadata["nggen.layout"] = ParameterLayout.Describe<TModel>();
        metadata["nggen.layout_hash"] = ParameterLayout.Hash<TModel>();
        metadata["nggen.iteration"] = iteration.ToString(CultureInfo.InvariantCulture);
        if (solver is not null)
        {
            metadata["nggen.solver"] = solver.Solver;
            foreach (var (name, value) in solver.Scalars)
                metadata[SolverScalarPrefix + name] = SolverState.Format(value);
            foreach (var (name, vector) in solver.Vectors)
                writer.AddDoubles(SolverTensorPrefix + name, vector, vector.Length);
        }
        metadata["nggen.checksum"] = Checksum(metadata, writer.Tensors.Select(t => (t.Name, t.DType, t.Shape)), writer.Tensors.Select(t => (ReadOnlyMemory<byte>)t.Bytes));
        return writer.ToBytes();
    }

    /// <summary>Writes the file atomically (see <see cref="AtomicFile"/>) and verifies the flushed bytes with
    /// <see cref="Load{TModel}"/> before they replace <paramref name="path"/>. A positive <paramref name="chunkPause"/>
    /// writes the bytes in 8 flushed chunks with that pause after each: for crash tests, which need a kill to land
    /// inside a write.</summary>
    public static void Save<TModel>(string path, ReadOnlySpan<double> theta, long iteration, SolverState? solver = null,
        IReadOnlyDictionary<string, string>? notes = null, TimeSpan chunkPause = default) where TModel : IModel<TModel>
    {
        byte[] bytes = Serialize<TModel>(theta, iteration, solver, notes);
        AtomicFile.Write(path, stream =>
        {
            if (chunkPause <= TimeSpan.Zero)
            {
                stream.Write(bytes);
                return;
            }
            const int Chunks = 8;
            for (int c = 0; c < Chunks; c++)
            {
                int begin = (int)((long)bytes.Length * c / Chunks), end = (int)((long)bytes.Length * (c + 1) / Chunks);
                stream.Write(bytes, begin, end - begin);
                stream.Flush();
                Thread.Sleep(chunkPause);
            }
        }, partial => Load<TModel>(partial));
    }

    /// <summary>Reads and verifies <paramref name="path"/> for <typeparamref name="TModel"/>; throws
    /// <see cref="CheckpointException"/> naming the first check that fails.</summary>
    public static LoadedCheckpoint Load<TModel>(string path) where TModel : IModel<TModel>
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CheckpointException(path, CheckpointCheck.Readable, e is FileNotFoundException ? "no such file." : e.Message, e);
        }
        SafeTensorsFile file;
        try
        {
            file = SafeTensorsFile.Parse(path, bytes);
        }
        catch (SafeTensorsFormatException e)
        {
            throw new CheckpointException(path, CheckpointCheck.Format, e.Message[(path.Length + 2)..], e);
        }
        var metadata = file.Metadata;
        if (!metadata.TryGetValue("nggen.format", out string? format))
            throw new CheckpointException(path, CheckpointCheck.Origin, $"it has no nggen.format metadata (a safetensors file with {file.Tensors.Count} tensors written by another tool).");
        if (format != Format)
            throw new CheckpointException(path, CheckpointCheck.Origin, $"nggen.format is '{format}'; this NGGen reads '{Format}'.");
        string expected = metadata.GetValueOrDefault("nggen.checksum") ?? "(none)";
        string actual = Checksum(metadata, file.Tensors.Select(t => (t.Name, t.DType, t.Shape)), [file.DataMemory]);
        if (expected != actual)
            throw new CheckpointException(path, CheckpointCheck.Checksum, $"the content's CRC-32C is {actual}, the file records {expected}: it changed after it was written.");
        string model = metadata.GetValueOrDefault("nggen.model") ?? "(none)";
        if (model != TModel.Name)
            throw new CheckpointException(path, CheckpointCheck.Model, $"it holds parameters of model '{model}', not '{TModel.Name}'.");
        if (metadata.GetValueOrDefault("nggen.layout_hash") != ParameterLayout.Hash<TModel>())
            throw new CheckpointException(path, CheckpointCheck.Layout,
                $"it was written for the layout {metadata.GetValueOrDefault("nggen.layout") ?? "(none)"}; {TModel.Name} now has {ParameterLayout.Describe<TModel>()}.");

        var theta = new double[TModel.ParameterCount];
        foreach (var parameter in TModel.Parameters)
        {
            var tensor = file.Find(parameter.Name)
                ?? throw new CheckpointException(path, CheckpointCheck.Parameters, $"there is no tensor '{parameter.Name}'.");
            if (!tensor.Shape.SequenceEqual(parameter.Shape.Select(d => (long)d)) || tensor.DType is not ("F64" or "F32"))
                throw new CheckpointException(path, CheckpointCheck.Parameters,
                    $"tensor '{parameter.Name}' is {tensor.DType} [{string.Join(", ", tensor.Shape)}]; the model declares F64 [{string.Join(", ", parameter.Shape)}].");
            double[] values = file.ReadDoubles(tensor);
            int bad = Array.FindIndex(values, v => !double.IsFinite(v));
            if (bad >= 0)
                throw new CheckpointException(path, CheckpointCheck.Parameters, $"tensor '{parameter.Name}' entry {bad} is {values[bad]}.");
            values.CopyTo(theta, parameter.Offset);
        }
        if (!long.TryParse(metadata.GetValueOrDefault("nggen.iteration"), NumberStyles.None, CultureInfo.InvariantCulture, out long iteration)
            || iteration >= int.MaxValue)
            throw new CheckpointException(path, CheckpointCheck.SolverState,
                $"nggen.iteration is '{metadata.GetValueOrDefault("nggen.iteration")}', not an integer between 0 and {int.MaxValue - 1}.");
        return new LoadedCheckpoint(path, iteration, theta, ReadSolverState(path, file), metadata);
    }

    private static SolverState? ReadSolverState(string path, SafeTensorsFile file)
    {
        if (!file.Metadata.TryGetValue("nggen.solver", out string? solver))
            return null;
        var state = new SolverState(solver);
        foreach (var (key, text) in file.Metadata)
        {
            if (!key.StartsWith(SolverScalarPrefix, StringComparison.Ordinal))
                continue;
            if (!SolverState.TryParse(text, out double value))
                throw new CheckpointException(path, CheckpointCheck.SolverState, $"{key} is '{text}', not a number.");
            state.Scalars[key[SolverScalarPrefix.Length..]] = value;
        }
        foreach (var tensor in file.Tensors.Where(t => t.Name.StartsWith(SolverTensorPrefix, StringComparison.Ordinal)))
        {
            if (tensor.DType != "F64" || tensor.Shape.Length != 1)
                throw new CheckpointException(path, CheckpointCheck.SolverState, $"tensor '{tensor.Name}' is {tensor.DType} [{string.Join(", ", tensor.Shape)}], not an F64 vector.");
            state.Vectors[tensor.Name[SolverTensorPrefix.Length..]] = file.ReadDoubles(tensor);
        }
        return state;
    }

    // CRC-32C of the content independent of JSON formatting: metadata (without the checksum itself) in key order,
    // then each tensor's name, dtype and shape in data order, then the data.
    private static string Checksum(IEnumerable<KeyValuePair<string, string>> metadata, IEnumerable<(string Name, string DType, long[] Shape)> tensors,
        IEnumerable<ReadOnlyMemory<byte>> data)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in metadata.Where(e => e.Key != "nggen.checksum").OrderBy(e => e.Key, StringComparer.Ordinal))
            text.Append(key).Append('\0').Append(value).Append('\0');
        foreach (var (name, dtype, shape) in tensors)
            text.Append(name).Append('\0').Append(dtype).Append('\0').Append(string.Join(",", shape)).Append('\0');
        uint crc = Crc32C.Append(Crc32C.Start, Encoding.UTF8.GetBytes(text.ToString()));
        foreach (var bytes in data)
            crc = Crc32C.Append(crc, bytes.Span);
        return "crc32c:" + Crc32C.Finish(crc);
    }
}
