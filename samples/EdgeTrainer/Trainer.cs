using System.Diagnostics;
using System.Globalization;
using NGGen.IO;
using NGGen.Solvers;

namespace NGGen.Samples.EdgeTrainer;

/// <summary>The <c>train</c> command for one model type: data, initial θ (seed, <c>--init</c> or the newest valid
/// checkpoint), the chosen solver one iteration at a time with progress rows, checkpoints every k iterations, and
/// the final parameters. Outputs are written atomically, so an error or a kill leaves no partial file.</summary>
public static class Trainer
{
    /// <summary>Options of <c>train</c> that take a value.</summary>
    public static readonly string[] ValuedOptions =
        ["--data", "--model", "--solver", "--iterations", "--seed", "--init", "--out", "--checkpoint-dir", "--checkpoint-every", "--keep",
         "--learning-rate", "--damping", "--cg-iterations", "--progress-every"];

    /// <summary>Flags of <c>train</c>.</summary>
    public static readonly string[] Flags = ["--resume", "--quiet"];

    /// <summary>Environment variable: milliseconds between the 8 chunks of each checkpoint write (crash tests).</summary>
    public const string ChunkPauseVariable = "NGGEN_EDGE_CHECKPOINT_CHUNK_PAUSE_MS";

    /// <summary>Runs <c>train</c> for <typeparamref name="TModel"/>.</summary>
    public static int Run<TModel>(CommandLine line, string modelName, TextWriter output) where TModel : IModel<TModel>
    {
        var clock = Stopwatch.StartNew();
        string solverName = line.Choice("--solver", "gn-cg", "gn-cg", "adam", "lm");
        int iterations = line.Integer("--iterations", 100, 1, 10_000_000);
        int seed = line.Integer("--seed", 0, 0, int.MaxValue);
        int progressEvery = line.Integer("--progress-every", 1, 1, int.MaxValue);
        bool quiet = line.Has("--quiet");
        string? outPath = line.OutputFile("--out");
        string? checkpointPath = line.Text("--checkpoint-dir");
        if (checkpointPath is null)
            foreach (string option in new[] { "--checkpoint-every", "--keep", "--resume" })
                if (line.Has(option))
                    throw CommandLine.Usage($"option '{option}' needs --checkpoint-dir.");
        if (checkpointPath is not null && File.Exists(checkpointPath))
            throw CommandLine.Usage($"option '--checkpoint-dir': '{checkpointPath}' is a file, not a directory.");
        int checkpointEvery = line.Integer("--checkpoint-every", 10, 1, 10_000_000);
        int keep = line.Integer("--keep", 2, 1, 1000);
        foreach (var (option, owner) in new[] { ("--learning-rate", "adam"), ("--damping", "gn-cg"), ("--cg-iterations", "gn-cg") })
            if (line.Has(option) && solverName != owner)
                throw CommandLine.Usage($"option '{option}' applies to --solver {owner}, not {solverName}.");

        var function = TModel.Functions[0];
        var data = TrainingData.Load(line.Required("--data"), modelName, function.InputSize, function.OutputSize);
        var problem = new TrainingProblem<TModel>(new ResidualBlock(0, data.Inputs, data.Rows, data.Targets, Weight: 1.0 / data.Rows));
        double learningRate = line.Number("--learning-rate", 1e-2, 0, 10);
        int cgIterations = line.Integer("--cg-iterations", 50, 1, 100_000);
        ITrainerSolver solver = solverName switch
        {
            "adam" => new AdamSolver<TModel>(problem, new AdamOptions { LearningRate = learningRate }),
            "lm" => new LevenbergMarquardtSolver<TModel>(problem, new LevenbergMarquardtOptions()),
            _ => new GaussNewtonCgSolver<TModel>(problem, new GaussNewtonCgOptions
            {
                InitialDamping = line.Number("--damping", 1, 0, 1e12),
                MaxCgIterations = cgIterations,
            }),
        };
        var notes = new Dictionary<string, string>
        {
            ["edge.data"] = Path.GetFileName(data.Path),
            ["edge.data_crc32c"] = data.ContentHash,
            // The options a resumed run must repeat to continue the same trajectory (the initial damping is not one:
            // the checkpoint carries the current λ).
            ["edge.solver_options"] = solverName switch
            {
                "adam" => $"learning-rate={learningRate.ToString("R", CultureInfo.InvariantCulture)}",
                "lm" => "defaults",
                _ => $"cg-iterations={cgIterations}",
            },
        };

        var theta = new double[TModel.ParameterCount];
        TModel.InitializeParameters<double>(theta, (ulong)seed);
        string start = $"seed {seed}";
        if (line.Text("--init") is { } initPath)
        {
            LoadVerified<TModel>(initPath).Theta.CopyTo(theta, 0);
            start = initPath;
        }
        CheckpointDirectory? checkpoints = null;
        int first = 1;
        if (checkpointPath is not null)
        {
            checkpoints = OpenCheckpoints(checkpointPath, keep);
            if (!line.Has("--resume") && checkpoints.List() is [var newest, ..])
                throw CommandLine.Usage($"--checkpoint-dir {checkpointPath} already holds checkpoints (the newest is of iteration {newest.Iteration}); pass --resume to continue them, or use another directory.");
            if (line.Has("--resume") && LoadLatest<TModel>(checkpoints, output) is { } resumed)
            {
                Resume(resumed, solver, data, notes);
                resumed.Theta.CopyTo(theta, 0);
                first = (int)Math.Min(resumed.Iteration + 1, int.MaxValue);
                start = $"{resumed.Path} (iteration {resumed.Iteration})";
            }
        }
        output.WriteLine($"training {modelName} ({TModel.ParameterCount} parameters) on {data.Path} ({data.Rows} rows) with {solver.Name}, from {start}");
        if (!quiet)
            output.WriteLine(SolverProgress.Header);

        double? firstIterationMs = null;
        double lastIterationMs = 0;
        int last = first - 1;
        string stop = $"reached {iterations} iterations";
        for (int iteration = first; iteration <= iterations; iteration++)
        {
            var step = solver.Iterate(iteration, theta, clock.Elapsed.TotalSeconds);
            firstIterationMs ??= clock.Elapsed.TotalMilliseconds;
            if (step.Diverged)
                throw new TrainerException(ExitCodes.Diverged,
                    $"iteration {iteration}: the cost or gradient is no longer finite ({step.Row.Cost}); no parameters written{(checkpoints is null ? "" : $", the checkpoints in {checkpoints.Path} are kept")}. Try a smaller --learning-rate or a larger --damping.");
            if (!step.Stepped)
            {
                // The solver's test held at θ before any step: nothing to count, print or checkpoint.
                stop = $"{solver.Name} converged after iteration {iteration - 1}";
                break;
            }
            last = iteration;
            lastIterationMs = clock.Elapsed.TotalMilliseconds;
            if (!quiet && (iteration % progressEvery == 0 || iteration == first || step.Converged))
                output.WriteLine(SolverProgress.Row(step.Row));
            if (checkpoints is not null && (iteration % checkpointEvery == 0 || step.Converged || iteration == iterations))
                WriteCheckpoint<TModel>(checkpoints, iteration, theta, solver, notes, output);
            if (step.Converged)
            {
                stop = $"{solver.Name} converged at iteration {iteration}";
                break;
            }
        }
        if (outPath is not null)
            Write(() => ModelCheckpoint.Save<TModel>(outPath, theta, last, null, notes), outPath);
        double cost = problem.CostAt(theta, new double[problem.ResidualCount]);
        int run = last - first + 1;
        // The steady-state rate excludes the first iteration, which carries one-time costs (JIT compilation, page faults).
        string rate = run > 1 ? FormattableString.Invariant($", then {(lastIterationMs - firstIterationMs!.Value) / (run - 1):F3} ms per iteration") : "";
        output.WriteLine(FormattableString.Invariant(
            $"done: {stop}; cost {cost:E6}; {(run == 0 ? "no iteration to run" : $"{run} iterations in {clock.Elapsed.TotalSeconds:F3} s: the first after {firstIterationMs ?? 0:F1} ms{rate}")}{(outPath is null ? "" : $"; parameters in {outPath}")}"));
        return ExitCodes.Success;
    }

    /// <summary>Loads a parameter or checkpoint file for <typeparamref name="TModel"/>; a refusal is exit code 4.</summary>
    public static LoadedCheckpoint LoadVerified<TModel>(string path) where TModel : IModel<TModel>
    {
        try
        {
            return ModelCheckpoint.Load<TModel>(path);
        }
        catch (CheckpointException e)
        {
            throw new TrainerException(ExitCodes.BadCheckpoint, e.Message);
        }
    }

    private static CheckpointDirectory OpenCheckpoints(string path, int keep)
    {
        try
        {
            return new CheckpointDirectory(path, keep) { WriteChunkPause = ChunkPause() };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new TrainerException(ExitCodes.WriteFailed, $"--checkpoint-dir {path}: the directory cannot be created or read ({e.Message}).");
        }
    }

    private static LoadedCheckpoint? LoadLatest<TModel>(CheckpointDirectory checkpoints, TextWriter output) where TModel : IModel<TModel>
    {
        try
        {
            return checkpoints.LoadLatest<TModel>(message => output.WriteLine($"checkpoint  {message}"));
        }
        catch (CheckpointException e)
        {
            throw new TrainerException(ExitCodes.BadCheckpoint, $"{e.Message} Resume with the model that wrote it, or use another --checkpoint-dir.");
        }
    }

    private static void Resume(LoadedCheckpoint checkpoint, ITrainerSolver solver, TrainingData data, Dictionary<string, string> notes)
    {
        if (checkpoint.Metadata.GetValueOrDefault("edge.data_crc32c") is { } hash && hash != data.ContentHash)
            throw new TrainerException(ExitCodes.BadCheckpoint,
                $"{checkpoint.Path}: written while training on data with CRC-32C {hash}; {data.Path} has {data.ContentHash}. Resume with the same data, or start afresh with another --checkpoint-dir.");
        if (checkpoint.Solver is not { } state)
            throw new TrainerException(ExitCodes.BadCheckpoint, $"{checkpoint.Path}: has no solver state (a parameter file?); pass it with --init instead.");
        if (state.Solver != solver.Name)
            throw new TrainerException(ExitCodes.BadCheckpoint,
                $"{checkpoint.Path}: written by --solver {state.Solver}; resume with it, or start afresh with --init {checkpoint.Path} and another --checkpoint-dir.");
        if (checkpoint.Metadata.GetValueOrDefault("edge.solver_options") is { } written && written != notes["edge.solver_options"])
            throw new TrainerException(ExitCodes.BadCheckpoint,
                $"{checkpoint.Path}: trained with {written}; this run has {notes["edge.solver_options"]}. Resume with the same options, or start afresh with another --checkpoint-dir.");
        try
        {
            solver.RestoreState(state);
        }
        catch (InvalidDataException e)
        {
            throw new TrainerException(ExitCodes.BadCheckpoint, $"{checkpoint.Path}: {e.Message}");
        }
    }

    private static void WriteCheckpoint<TModel>(CheckpointDirectory checkpoints, int iteration, double[] theta, ITrainerSolver solver,
        Dictionary<string, string> notes, TextWriter output) where TModel : IModel<TModel>
    {
        string file = checkpoints.FileFor(iteration);
        output.WriteLine($"checkpoint  writing iteration {iteration} to {file}");
        Write(() => checkpoints.Write<TModel>(iteration, theta, solver.CaptureState(), notes), file);
        output.WriteLine($"checkpoint  saved iteration {iteration}");
    }

    private static void Write(Action write, string path)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrainerException(ExitCodes.WriteFailed, $"{path}: could not be written ({e.Message}); nothing was replaced.");
        }
    }

    private static TimeSpan ChunkPause() =>
        int.TryParse(Environment.GetEnvironmentVariable(ChunkPauseVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.Zero;
}
