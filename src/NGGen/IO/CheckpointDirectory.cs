using System.Globalization;

namespace NGGen.IO;

/// <summary>
/// A directory of training checkpoints <c>checkpoint-&lt;iteration&gt;.safetensors</c>. <see cref="Write{TModel}"/>
/// saves one atomically and verified, then deletes all but the newest <see cref="Keep"/>, so a good checkpoint
/// always exists while the next is written. <see cref="LoadLatest{TModel}"/> removes partial files a killed writer
/// left, and returns the newest checkpoint that passes every check; a damaged one is renamed to
/// <c>…​.rejected</c> (kept for inspection, never read again) and the one before it is tried, while one written for
/// another model or layout stops the resume with its error.
/// </summary>
public sealed class CheckpointDirectory
{
    private const string Prefix = "checkpoint-";
    private const string Extension = ".safetensors";

    /// <summary>Uses <paramref name="path"/> (created when missing), keeping the newest <paramref name="keep"/> checkpoints.</summary>
    public CheckpointDirectory(string path, int keep = 2)
    {
        if (keep < 1)
            throw new ArgumentOutOfRangeException(nameof(keep), keep, "at least one checkpoint must be kept.");
        Directory.CreateDirectory(path);
        Path = path;
        Keep = keep;
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>How many checkpoints are kept.</summary>
    public int Keep { get; }

    /// <summary>Pause between the 8 chunks of each write (zero, the default, writes at once); crash tests set it so
    /// a kill lands inside a write.</summary>
    public TimeSpan WriteChunkPause { get; init; }

    /// <summary>The file of the checkpoint after <paramref name="iteration"/>.</summary>
    public string FileFor(long iteration) => System.IO.Path.Combine(Path, $"{Prefix}{iteration.ToString("D8", CultureInfo.InvariantCulture)}{Extension}");

    /// <summary>The checkpoint files present, newest (highest iteration) first.</summary>
    public IReadOnlyList<(long Iteration, string File)> List() =>
        Directory.EnumerateFiles(Path, Prefix + "*" + Extension)
            .Select(file => (Iteration: ParseIteration(file), File: file))
            .Where(c => c.Iteration >= 0)
            .OrderByDescending(c => c.Iteration)
            .ToList();

    /// <summary>Saves the checkpoint after <paramref name="iteration"/> and prunes old ones; returns its file.</summary>
    public string Write<TModel>(long iteration, ReadOnlySpan<double> theta, SolverState? solver, IReadOnlyDictionary<string, string>? notes = null)
        where TModel : IModel<TModel>
    {
        string file = FileFor(iteration);
        ModelCheckpoint.Save<TModel>(file, theta, iteration, solver, notes, WriteChunkPause);
        // Only checkpoints up to this one count towards Keep and are pruned: a newer file (one a resume skipped) is
        // never deleted by an older run's progress.
        foreach (var (_, old) in List().Where(c => c.Iteration <= iteration).Skip(Keep))
            File.Delete(old);
        return file;
    }

    /// <summary>The newest checkpoint that verifies, or null when there is none; <paramref name="log"/> hears about
    /// every partial file removed and every damaged checkpoint set aside (with the failed check). A checkpoint of
    /// another model, layout or tool throws its <see cref="CheckpointException"/> instead: the directory belongs to
    /// another run, and its files are left as they are.</summary>
    public LoadedCheckpoint? LoadLatest<TModel>(Action<string> log) where TModel : IModel<TModel>
    {
        foreach (string partial in Directory.EnumerateFiles(Path).Where(AtomicFile.IsPartial))
        {
            File.Delete(partial);
            log($"removed {partial}: an incomplete write (the writer was stopped before it finished).");
        }
        foreach (var (_, file) in List())
        {
            try
            {
                var checkpoint = ModelCheckpoint.Load<TModel>(file);
                if (checkpoint.Iteration != ParseIteration(file))
                    throw new CheckpointException(file, CheckpointCheck.SolverState,
                        $"it records iteration {checkpoint.Iteration}, its name says {ParseIteration(file)} (renamed by hand?).");
                return checkpoint;
            }
            catch (CheckpointException e) when (e.Check is CheckpointCheck.Origin or CheckpointCheck.Model or CheckpointCheck.Layout)
            {
                // A sound file of another model (or another tool): the directory is not this run's, so nothing in it
                // is touched and nothing older is tried; the caller decides.
                throw;
            }
            catch (CheckpointException e)
            {
                string rejected = file + ".rejected";
                File.Move(file, rejected, overwrite: true);
                log($"{e.Message} It is kept as {rejected}; trying the previous checkpoint.");
            }
        }
        return null;
    }

    private static long ParseIteration(string file)
    {
        string name = System.IO.Path.GetFileName(file);
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Extension, StringComparison.Ordinal))
            return -1;
        string digits = name[Prefix.Length..^Extension.Length];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long iteration) ? iteration : -1;
    }
}
