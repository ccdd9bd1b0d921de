namespace NGGen.Samples.EdgeTrainer;

/// <summary>A model the trainer knows: its generated type bound into the three commands (no reflection).</summary>
public sealed record ModelEntry(string Name, string Description, int Inputs, Action<Random, Span<double>> Sample,
    Func<CommandLine, TextWriter, int> Train, Func<CommandLine, TextWriter, int> Inspect, Func<CommandLine, TextWriter, int> Predict);

/// <summary>
/// The command line: <c>train</c>, <c>predict</c>, <c>make-data</c>, <c>inspect</c>. Errors print one line <c>error: …</c> on the
/// error stream and return an <see cref="ExitCodes"/> value; nothing is written by a command that fails.
/// </summary>
public static class EdgeTrainerApp
{
    /// <summary>The models, by command-line name.</summary>
    public static readonly ModelEntry[] Models =
    [
        new("wave-mlp", "2 inputs → tanh 16 → tanh 16 → 1 (337 parameters); data y = sin(πx₁)·cos(πx₂), x ∈ [−1, 1]²", 2,
            (random, row) =>
            {
                row[0] = 2 * random.NextDouble() - 1;
                row[1] = 2 * random.NextDouble() - 1;
                row[2] = Math.Sin(Math.PI * row[0]) * Math.Cos(Math.PI * row[1]);
            },
            (line, output) => Trainer.Run<WaveMlp>(line, "wave-mlp", output),
            (line, output) => EdgeTrainer.Inspect.Run<WaveMlp>(line, output),
            (line, output) => EdgeTrainer.Predict.Run<WaveMlp>(line, "wave-mlp", output)),
        new("exp-decay", "y = a·exp(−b·x) + c (3 parameters); data a = 2.5, b = 1.3, c = 0.5, x ∈ [0, 4]", 1,
            (random, row) =>
            {
                row[0] = 4 * random.NextDouble();
                row[1] = 2.5 * Math.Exp(-1.3 * row[0]) + 0.5;
            },
            (line, output) => Trainer.Run<ExpDecay.Compiled>(line, "exp-decay", output),
            (line, output) => EdgeTrainer.Inspect.Run<ExpDecay.Compiled>(line, output),
            (line, output) => EdgeTrainer.Predict.Run<ExpDecay.Compiled>(line, "exp-decay", output)),
    ];

    /// <summary>Runs the command in <paramref name="args"/>; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
            {
                (args.Length == 0 ? error : output).Write(Usage);
                return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Success;
            }
            return args[0] switch
            {
                "train" => WithModel(CommandLine.Parse(args, Trainer.ValuedOptions, Trainer.Flags, takesOperand: false), (m, l) => m.Train(l, output)),
                "make-data" => WithModel(CommandLine.Parse(args, SyntheticData.ValuedOptions, [], takesOperand: true), (m, l) => SyntheticData.Run(l, m, output)),
                "inspect" => WithModel(CommandLine.Parse(args, ["--model"], [], takesOperand: true), (m, l) => m.Inspect(l, output)),
                "predict" => WithModel(CommandLine.Parse(args, Predict.ValuedOptions, [], takesOperand: false), (m, l) => m.Predict(l, output)),
                _ => throw CommandLine.Usage($"unknown command '{args[0]}'; the commands are train, predict, make-data and inspect (--help shows the options)."),
            };
        }
        catch (TrainerException e)
        {
            error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file-system failure no command anticipated (a read-only directory, a full disk): still one line.
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.WriteFailed;
        }
    }

    private static int WithModel(CommandLine line, Func<ModelEntry, CommandLine, int> command)
    {
        string name = line.Choice("--model", "wave-mlp", Models.Select(m => m.Name).ToArray());
        return command(Models.Single(m => m.Name == name), line);
    }

    /// <summary>The help text.</summary>
    public static string Usage => $"""
        EdgeTrainer: trains a generated NGGen model from a data file, with checkpoints that survive a crash.

          EdgeTrainer train --data FILE.csv|FILE.npy [options]
            --model NAME           {string.Join(" | ", Models.Select(m => m.Name))} (default wave-mlp)
            --solver NAME          gn-cg | adam | lm (default gn-cg; lm: dense QR, for few parameters)
            --iterations N         iterations in all, a resumed run included (default 100)
            --seed N               seed of the initial parameters (default 0)
            --init FILE            start from a parameter file (.safetensors) instead
            --out FILE             write the final parameters (.safetensors)
            --checkpoint-dir DIR   write checkpoints there
            --checkpoint-every N   every N iterations (default 10) and after the last
            --keep N               checkpoints kept (default 2)
            --resume               continue from the newest valid checkpoint in --checkpoint-dir, if any
            --damping X            gn-cg: initial damping λ (default 1)
            --cg-iterations N      gn-cg: CG iterations per step at most (default 50)
            --learning-rate X      adam: step size (default 0.01)
            --progress-every N     print every N-th iteration (default 1); --quiet prints none
          EdgeTrainer make-data FILE.csv|FILE.npy [--model NAME] [--rows N] [--seed N] [--noise X]
          EdgeTrainer predict --params FILE.safetensors --data FILE --out FILE.csv|FILE.npy [--model NAME]
                                 (data: the inputs, optionally followed by the targets, then the RMSE is printed)
          EdgeTrainer inspect FILE.safetensors [--model NAME]

        Data files hold one sample per row: the model's inputs, then its target. Models:
        {string.Join(Environment.NewLine, Models.Select(m => $"  {m.Name,-10} {m.Description}"))}
        Exit codes: 0 done, 1 diverged, 2 bad command line, 3 bad data file, 4 refused checkpoint or parameter file,
        5 an output could not be written.

        """;
}
