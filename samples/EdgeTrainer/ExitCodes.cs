namespace NGGen.Samples.EdgeTrainer;

/// <summary>The trainer's exit codes (also in the README).</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;
    /// <summary>Training stopped on a non-finite cost; the last good checkpoint is kept, no output is written.</summary>
    public const int Diverged = 1;
    /// <summary>A bad command line: unknown or repeated option, missing or out-of-range value.</summary>
    public const int Usage = 2;
    /// <summary>A data file that cannot be used (missing, malformed, wrong shape, NaN/Inf).</summary>
    public const int BadData = 3;
    /// <summary>A checkpoint or parameter file refused (corrupt, foreign, another model or solver or data).</summary>
    public const int BadCheckpoint = 4;
    /// <summary>An output could not be written (disk full, permissions).</summary>
    public const int WriteFailed = 5;
}

/// <summary>An error the trainer reports as one message and an exit code.</summary>
public sealed class TrainerException(int exitCode, string message) : Exception(message)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
