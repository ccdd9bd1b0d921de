namespace NGGen.IO;

/// <summary>The check a checkpoint or parameter file failed, in the order they are made.</summary>
public enum CheckpointCheck
{
    /// <summary>The file could not be read.</summary>
    Readable,
    /// <summary>The bytes are not a well-formed safetensors file (truncated, bad header, holes).</summary>
    Format,
    /// <summary>A well-formed safetensors file without NGGen's metadata: written by another tool.</summary>
    Origin,
    /// <summary>The content checksum does not match: the file changed after it was written.</summary>
    Checksum,
    /// <summary>Written for a different model class.</summary>
    Model,
    /// <summary>Written for a different parameter layout (the model's parameters changed).</summary>
    Layout,
    /// <summary>A parameter tensor is missing, mis-shaped, of another dtype, or not finite.</summary>
    Parameters,
    /// <summary>The solver state is missing, unreadable, or for another solver.</summary>
    SolverState,
}

/// <summary>A checkpoint or parameter file refused by <see cref="ModelCheckpoint.Load{TModel}"/>: the message names the
/// file and the check that failed.</summary>
public sealed class CheckpointException(string path, CheckpointCheck check, string problem, Exception? inner = null)
    : IOException($"{path}: refused ({Describe(check)}): {problem}", inner)
{
    /// <summary>The file.</summary>
    public string FilePath { get; } = path;

    /// <summary>The check that failed.</summary>
    public CheckpointCheck Check { get; } = check;

    /// <summary>A short name of each check, as it appears in messages.</summary>
    public static string Describe(CheckpointCheck check) => check switch
    {
        CheckpointCheck.Readable => "unreadable",
        CheckpointCheck.Format => "not a valid safetensors file",
        CheckpointCheck.Origin => "not an NGGen checkpoint",
        CheckpointCheck.Checksum => "checksum mismatch",
        CheckpointCheck.Model => "written for another model",
        CheckpointCheck.Layout => "parameter layout mismatch",
        CheckpointCheck.Parameters => "bad parameter tensor",
        CheckpointCheck.SolverState => "bad solver state",
        _ => check.ToString(),
    };
}
