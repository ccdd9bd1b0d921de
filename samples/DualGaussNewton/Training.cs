using System.Diagnostics;
using NGGen.Solvers;

namespace NGGen.Samples.DualGaussNewton;

/// <summary>One optimizer run: full-data training loss against iterations and against training time.</summary>
/// <param name="Method">"SGD momentum", "Adam", "SGD momentum + dual GN" or "Adam + dual GN".</param>
/// <param name="LearningRate">The rate of this run.</param>
/// <param name="Iterations">Recorded iterations (0 = start).</param>
/// <param name="Seconds">Training wall time at each record, without the time spent evaluating the full-data loss.</param>
/// <param name="Loss">Mean cross-entropy over all training samples at each record.</param>
public sealed record TrainingRun(string Method, double LearningRate, int[] Iterations, double[] Seconds, double[] Loss)
{
    /// <summary>The last recorded loss.</summary>
    public double FinalLoss => Loss[^1];

    /// <summary>The training time of the run.</summary>
    public double TotalSeconds => Seconds[^1];

    /// <summary>The loss recorded at iteration <paramref name="iteration"/> (NaN if not recorded, e.g. the run diverged before).</summary>
    public double LossAtIteration(int iteration)
    {
        int i = Array.IndexOf(Iterations, iteration);
        return i < 0 ? double.NaN : Loss[i];
    }
}

/// <summary>The best run of each method (by the criterion of the comparison) and every run tried.</summary>
/// <param name="Parameters">p of the trained network.</param>
/// <param name="Outputs">m per mini-batch.</param>
/// <param name="BudgetSeconds">The larger of the two training-time budgets: each gradient method got the time of the best dual run of its own update rule.</param>
/// <param name="Runs">Every run, all learning rates.</param>
public sealed record TrainingResult(int Parameters, int Outputs, double BudgetSeconds, IReadOnlyList<TrainingRun> Runs)
{
    /// <summary>Method names, in plotting order.</summary>
    public static IReadOnlyList<string> Methods { get; } = ["SGD momentum", "Adam", "SGD momentum + dual GN", "Adam + dual GN"];

    /// <summary>The run of <paramref name="method"/> with the lowest loss at iteration <paramref name="iteration"/>.</summary>
    public TrainingRun BestAtIteration(string method, int iteration) =>
        Runs.Where(r => r.Method == method).MinBy(r => Finite(r.LossAtIteration(iteration)))!;

    /// <summary>The run of <paramref name="method"/> with the lowest final loss (within the time budget for gradient methods).</summary>
    public TrainingRun BestFinal(string method) => Runs.Where(r => r.Method == method).MinBy(r => Finite(r.FinalLoss))!;

    private static double Finite(double x) => double.IsFinite(x) ? x : double.PositiveInfinity;
}

/// <summary>
/// Claim (c): heavy-ball momentum and Adam (<see cref="DirectionMethods"/>) driven by −∇L of the current
/// mini-batch or by its dual Gauss-Newton direction. Mini-batches are a fixed partition of the data visited in a
/// fixed cycle (every method sees the same sequence). The dual runs do a fixed number of iterations; each gradient
/// method then gets the training time of the best dual run of its update rule (the loss evaluations excluded from
/// both), which lets it do many more iterations. Learning rates come from a small grid per method.
/// </summary>
public static class Training
{
    /// <summary>Runs the comparison on the width-<see cref="TrainingConfig.Width"/> network.</summary>
    public static TrainingResult Run(TrainingConfig config, int seed, TextWriter progress) =>
        Networks.Visit(config.Width, new Visitor(config, seed, progress));

    /// <summary>Runs the comparison on <typeparamref name="TModel"/>.</summary>
    public static TrainingResult Run<TModel>(TrainingConfig config, int seed, TextWriter progress) where TModel : IModel<TModel>
    {
        var data = new Dataset<TModel>(config, seed);
        var start = Problems.InitialParameters<TModel>(seed);
        var runs = new List<TrainingRun>();
        double budget = 0;
        foreach (var (rule, rates, dualRates) in new[] { ("SGD momentum", config.MomentumRates, config.DualMomentumRates), ("Adam", config.AdamRates, config.DualAdamRates) })
        {
            var dualRuns = dualRates.Select(rate => Train(data, start, rule, dual: true, rate, config, iterations: config.Iterations, budgetSeconds: double.PositiveInfinity, progress)).ToList();
            runs.AddRange(dualRuns);
            double ruleBudget = dualRuns.MinBy(r => double.IsFinite(r.FinalLoss) ? r.FinalLoss : double.PositiveInfinity)!.TotalSeconds;
            budget = Math.Max(budget, ruleBudget);
            foreach (double rate in rates)
                runs.Add(Train(data, start, rule, dual: false, rate, config, iterations: 1_000_000, budgetSeconds: ruleBudget, progress));
        }
        return new TrainingResult(TModel.ParameterCount, 10 * config.MiniBatch, budget, runs);
    }

    private static TrainingRun Train<TModel>(Dataset<TModel> data, double[] start, string rule, bool dual, double rate, TrainingConfig config,
        int iterations, double budgetSeconds, TextWriter progress) where TModel : IModel<TModel>
    {
        string method = dual ? rule + " + dual GN" : rule;
        var theta = (double[])start.Clone();
        var oracles = data.Batches.Select(batch => dual
            ? (IDirectionOracle<TModel>)new DualGaussNewton<TModel>(batch, new DualGaussNewtonOptions { Gamma = config.Gamma, MaxCgIterations = config.CgIterations, RelativeTolerance = 1e-8 })
            : new GradientOracle<TModel>(batch)).ToArray();
        var oracle = new CyclingOracle<TModel>(data.Full, oracles);
        var recordedIterations = new List<int> { 0 };
        var seconds = new List<double> { 0 };
        var losses = new List<double> { data.Loss(theta) };
        var evaluationClock = new Stopwatch();
        // Beyond the dual runs' length, gradient runs are recorded ten times less often (their iterations are cheap).
        int sparse = 10 * config.RecordEvery;
        bool Record(IterationSummary it)
        {
            double trained = it.Seconds - evaluationClock.Elapsed.TotalSeconds;
            bool spent = trained >= budgetSeconds;
            if (!spent && it.Iteration > config.Iterations && it.Iteration % sparse != 0)
                return true;
            evaluationClock.Start();
            double loss = data.Loss(theta);
            evaluationClock.Stop();
            recordedIterations.Add(it.Iteration);
            seconds.Add(trained);
            losses.Add(loss);
            return !spent && double.IsFinite(loss);
        }
        var summary = rule == "Adam"
            ? DirectionMethods.Adam(oracle, theta, new AdamOptions { LearningRate = rate, MaxIterations = iterations, RecordEvery = config.RecordEvery, Callback = Record })
            : DirectionMethods.Momentum(oracle, theta, new MomentumOptions { LearningRate = rate, Momentum = 0.9, MaxIterations = iterations, RecordEvery = config.RecordEvery, Callback = Record });
        var run = new TrainingRun(method, rate, [.. recordedIterations], [.. seconds], [.. losses]);
        progress.WriteLine($"   {method,-22} rate {rate,-6}: {summary.Iterations,6} iterations, {run.TotalSeconds,5:F2} s, loss {run.Loss[0]:F4} → {run.FinalLoss:F4}" +
            (summary.Termination == TerminationType.NonFiniteCost ? " (diverged)" : ""));
        return run;
    }

    // The data: the full problem (for the recorded loss) and one problem per mini-batch.
    private sealed class Dataset<TModel> where TModel : IModel<TModel>
    {
        private readonly double[] _scratch;

        public Dataset(TrainingConfig config, int seed)
        {
            int n = config.Samples, b = config.MiniBatch;
            var x = Problems.Inputs(n, seed + 1);
            var y = Problems.OneHot(Problems.Teacher(x, n, seed + 1), n);
            Full = new TrainingProblem<TModel>(new ResidualBlock(0, x, n, y, 1.0 / n, OutputLoss: OutputLoss.SoftmaxCrossEntropy));
            _scratch = new double[Full.ResidualCount];
            Batches = new TrainingProblem<TModel>[n / b];
            for (int k = 0; k < Batches.Length; k++)
                Batches[k] = Problems.MiniBatch<TModel>(x, y, n, b, k);
        }

        public TrainingProblem<TModel> Full { get; }

        public TrainingProblem<TModel>[] Batches { get; }

        public double Loss(double[] theta) => Full.CostAt(theta, _scratch);
    }

    // Visits the mini-batch oracles in turn; the cost it returns is that of the current mini-batch.
    private sealed class CyclingOracle<TModel>(TrainingProblem<TModel> full, IDirectionOracle<TModel>[] batches) : IDirectionOracle<TModel>
        where TModel : IModel<TModel>
    {
        private int _next;

        public TrainingProblem<TModel> Problem => full;

        public double Direction(ReadOnlySpan<double> theta, Span<double> direction)
        {
            var oracle = batches[_next];
            _next = (_next + 1) % batches.Length;
            return oracle.Direction(theta, direction);
        }
    }

    private sealed class Visitor(TrainingConfig config, int seed, TextWriter progress) : INetworkVisitor<TrainingResult>
    {
        public TrainingResult Visit<TModel>() where TModel : IModel<TModel> => Run<TModel>(config, seed, progress);
    }
}
