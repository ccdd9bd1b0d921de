namespace NGGen.Samples.DeepLinear;

/// <summary>Everything one run of the sample measures.</summary>
public sealed record DeepLinearResults(LogisticConfig LogisticConfig, CompletionConfig CompletionConfig, double[] W0,
    IReadOnlyList<LogisticRun> Logistic, IReadOnlyList<LogisticRun> LogisticHalfStep, CompletionData Completion, IReadOnlyList<CompletionRun> CompletionRuns);

/// <summary>The training methods of the completion experiment.</summary>
public enum CompletionMethod
{
    /// <summary>Gradient descent.</summary>
    GradientDescent,
    /// <summary>Natural gradient descent with the Fisher of the whole matrix.</summary>
    NaturalGradient,
    /// <summary>Natural gradient descent with the Fisher of the observed entries.</summary>
    ObservedFisherNaturalGradient,
}

/// <summary>Runs both experiments for every depth and method; maps each depth to its generated model.</summary>
public static class Experiment
{
    /// <summary>Depths of the logistic-regression networks and of the factorisations.</summary>
    public static readonly int[] LogisticDepths = [1, 2, 3, 4], CompletionDepths = [1, 2, 3];

    /// <summary>Runs everything, printing what runs and progress to <paramref name="log"/>.</summary>
    public static DeepLinearResults Run(LogisticConfig logistic, CompletionConfig completion, int seed, TextWriter? log)
    {
        logistic.Validate();
        completion.Validate();
        var progress = new Progress(log);

        var w0 = SeparableLogistic.InitialVector(new Random(seed), logistic.InitScale);
        log?.WriteLine($"1. Separable logistic regression, {SeparableLogistic.Samples} samples in R^{SeparableLogistic.Dimension}, deep linear networks of depth 1-4 (hidden width 5),");
        log?.WriteLine($"   all starting from the same function w0 (|w0| = {Dense.Norm(w0):F3}); NGD at η = {logistic.NgdLearningRate} ({logistic.NgdIterations} steps) and η/2, GD at {logistic.GdLearningRate} ({logistic.GdIterations:N0} steps).");
        var runs = new List<LogisticRun>();
        var halfStep = new List<LogisticRun>();
        foreach (int depth in LogisticDepths)
        {
            runs.Add(NaturalGradient(depth, w0, seed, logistic.NgdLearningRate, logistic.NgdIterations, progress));
            halfStep.Add(NaturalGradient(depth, w0, seed, logistic.NgdLearningRate / 2, 2 * logistic.NgdIterations, progress));
            runs.Add(GradientDescent(depth, w0, seed, logistic.GdLearningRate, logistic.GdIterations, progress));
            log?.WriteLine($"   depth {depth}: NGD {runs[^2].Summary.TotalSeconds + halfStep[^1].Summary.TotalSeconds:F1} s, GD {runs[^1].Summary.TotalSeconds:F1} s");
        }

        var data = CompletionData.Create(completion.Size, completion.Rank, completion.Observed, new Random(seed + 1));
        log?.WriteLine();
        log?.WriteLine($"2. Deep matrix completion: {completion.Size}x{completion.Size}, rank {completion.Rank}, {completion.Observed} entries observed; depth 1-3, init N(0, {completion.InitScale:G2}²) per entry;");
        log?.WriteLine($"   GD at {completion.GdLearningRate} (at most {completion.GdIterations} steps), NGD by output-space CG at η = {completion.NgdLearningRate} (at most {completion.NgdIterations} steps).");
        var completionRuns = new List<CompletionRun>();
        foreach (int depth in CompletionDepths)
        {
            foreach (var method in new CompletionMethod[] { CompletionMethod.GradientDescent, CompletionMethod.NaturalGradient, CompletionMethod.ObservedFisherNaturalGradient })
            {
                var run = Completion(data, completion, depth, method, seed + 2, progress);
                completionRuns.Add(run);
                log?.WriteLine($"   {run.Method} depth {depth}: {run.Steps} steps in {run.Seconds:F1} s ({run.Stop}); test error {run.TestError:E2}, effective rank {run.EffectiveRank:F2}");
            }
        }
        return new DeepLinearResults(logistic, completion, w0, runs, halfStep, data, completionRuns);
    }

    /// <summary>NGD on the depth-<paramref name="depth"/> network.</summary>
    public static LogisticRun NaturalGradient(int depth, double[] w0, int seed, double learningRate, int iterations, Progress? progress = null) => depth switch
    {
        1 => SeparableLogistic.RunNaturalGradient<Linear1>(depth, w0, seed, learningRate, iterations, progress),
        2 => SeparableLogistic.RunNaturalGradient<Linear2>(depth, w0, seed, learningRate, iterations, progress),
        3 => SeparableLogistic.RunNaturalGradient<Linear3>(depth, w0, seed, learningRate, iterations, progress),
        4 => SeparableLogistic.RunNaturalGradient<Linear4>(depth, w0, seed, learningRate, iterations, progress),
        _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "The logistic networks have depth 1-4."),
    };

    /// <summary>GD on the depth-<paramref name="depth"/> network.</summary>
    public static LogisticRun GradientDescent(int depth, double[] w0, int seed, double learningRate, int iterations, Progress? progress = null) => depth switch
    {
        1 => SeparableLogistic.RunGradientDescent<Linear1>(depth, w0, seed, learningRate, iterations, progress),
        2 => SeparableLogistic.RunGradientDescent<Linear2>(depth, w0, seed, learningRate, iterations, progress),
        3 => SeparableLogistic.RunGradientDescent<Linear3>(depth, w0, seed, learningRate, iterations, progress),
        4 => SeparableLogistic.RunGradientDescent<Linear4>(depth, w0, seed, learningRate, iterations, progress),
        _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "The logistic networks have depth 1-4."),
    };

    /// <summary>GD or NGD on the depth-<paramref name="depth"/> factorisation of the data's size.</summary>
    public static CompletionRun Completion(CompletionData data, CompletionConfig config, int depth, CompletionMethod method, int seed, Progress? progress = null) =>
        (data.Size, depth) switch
        {
            (50, 1) => Run<Factorization50x1>(data, config, depth, method, seed, progress),
            (50, 2) => Run<Factorization50x2>(data, config, depth, method, seed, progress),
            (50, 3) => Run<Factorization50x3>(data, config, depth, method, seed, progress),
            (100, 1) => Run<Factorization100x1>(data, config, depth, method, seed, progress),
            (100, 2) => Run<Factorization100x2>(data, config, depth, method, seed, progress),
            (100, 3) => Run<Factorization100x3>(data, config, depth, method, seed, progress),
            _ => throw new ArgumentOutOfRangeException(nameof(depth), $"No factorisation model for d = {data.Size}, depth {depth} (d is 50 or 100, depth 1-3)."),
        };

    private static CompletionRun Run<TModel>(CompletionData data, CompletionConfig config, int depth, CompletionMethod method, int seed, Progress? progress)
        where TModel : IModel<TModel> =>
        method switch
        {
            CompletionMethod.NaturalGradient => MatrixCompletion.RunNaturalGradient<TModel>(data, config, depth, seed, MatrixCompletion.Fisher.AllEntries, progress),
            CompletionMethod.ObservedFisherNaturalGradient => MatrixCompletion.RunNaturalGradient<TModel>(data, config, depth, seed, MatrixCompletion.Fisher.ObservedEntries, progress),
            _ => MatrixCompletion.RunGradientDescent<TModel>(data, config, depth, seed, progress),
        };
}
