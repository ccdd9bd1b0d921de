using System.Diagnostics;
using System.Numerics.Tensors;
using NGGen.Solvers;

namespace NGGen.Samples.DualGaussNewton;

/// <summary>One cell of the sweep: one network, one batch, one loss, both formulations.</summary>
/// <param name="Loss">The output loss.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Parameters">p.</param>
/// <param name="Batch">Samples.</param>
/// <param name="Outputs">m = 10 × batch, the size of the dual system.</param>
/// <param name="PrimalSeconds">Fastest of the timed primal directions (fixed CG iterations).</param>
/// <param name="DualSeconds">Fastest of the timed dual directions (same CG iterations).</param>
/// <param name="PrimalMedianSeconds">Median of the timed primal directions.</param>
/// <param name="DualMedianSeconds">Median of the timed dual directions.</param>
/// <param name="Repeats">Timed directions per formulation.</param>
/// <param name="TruncatedDualSlope">∇Lᵀv / (‖∇L‖‖v‖) of the dual direction after the fixed CG iterations (negative: descent).</param>
/// <param name="RelativeDifference">‖v_primal − v_dual‖ / ‖v_dual‖ with both CGs run to the agreement tolerance.</param>
/// <param name="PrimalIterations">CG iterations the primal needed to reach the agreement tolerance.</param>
/// <param name="DualIterations">CG iterations the dual needed to reach the agreement tolerance.</param>
public sealed record TimingCell(LossKind Loss, int Width, int Parameters, int Batch, int Outputs, double PrimalSeconds, double DualSeconds,
    double PrimalMedianSeconds, double DualMedianSeconds, int Repeats, double TruncatedDualSlope,
    double RelativeDifference, int PrimalIterations, int DualIterations)
{
    /// <summary>Primal time over dual time (fastest of each): above 1 the dual is faster.</summary>
    public double Ratio => PrimalSeconds / DualSeconds;

    /// <summary>The same ratio from the medians.</summary>
    public double MedianRatio => PrimalMedianSeconds / DualMedianSeconds;

    /// <summary>m / p.</summary>
    public double OutputsPerParameter => (double)Outputs / Parameters;
}

/// <summary>
/// The timing sweep of claims (a) and (b). Both formulations start CG from zero at the same θ with the same γ and
/// run exactly <see cref="ExperimentConfig.CgIterations"/> iterations (tolerance 0), so each direction costs one
/// forward pass (linearization) and that many JVP/VJP pairs either way; the dual's descent safeguard (one extra
/// VJP, with no primal counterpart) is off. The dual keeps its default H⁺ preconditioner, which for softmax costs
/// one more forward pass per direction. Primal and dual calls alternate so that load from other processes hits
/// both alike. The fastest of the repeats estimates a direction's cost free of that load (this machine is shared);
/// the median is kept alongside.
/// </summary>
public static class DirectionSweep
{
    /// <summary>Runs every (loss, width, batch) cell within the work cap; <paramref name="progress"/> gets a line per cell.</summary>
    public static IReadOnlyList<TimingCell> Run(ExperimentConfig config, int seed, TextWriter progress)
    {
        var cells = new List<TimingCell>();
        foreach (var loss in new[] { LossKind.Squared, LossKind.SoftmaxCrossEntropy })
            foreach (int width in config.Widths)
                foreach (int batch in config.Batches)
                {
                    if ((long)batch * Networks.Parameters(width) > config.MaxWork)
                        continue;
                    var cell = Networks.Visit(width, new CellVisitor(config, loss, batch, seed));
                    cells.Add(cell);
                    progress.WriteLine($"   {Describe(loss),-8} p = {cell.Parameters,6}, m = {cell.Outputs,5}: primal {cell.PrimalSeconds * 1e3,7:F3} ms, dual {cell.DualSeconds * 1e3,7:F3} ms, " +
                        $"ratio {cell.Ratio,5:F2} (median {cell.MedianRatio:F2}); converged directions differ by {cell.RelativeDifference:E1} ({cell.PrimalIterations} / {cell.DualIterations} CG iterations)");
                }
        return cells;
    }

    /// <summary>Measures one cell on model <typeparamref name="TModel"/>.</summary>
    public static TimingCell Measure<TModel>(ExperimentConfig config, LossKind loss, int batch, int seed) where TModel : IModel<TModel>
    {
        var problem = Problems.Create<TModel>(loss, batch, seed);
        var theta = Problems.InitialParameters<TModel>(seed);
        int p = TModel.ParameterCount;
        var direction = new double[p];
        var primal = new PrimalGaussNewton<TModel>(problem, config.Gamma, config.CgIterations, relativeTolerance: 0);
        var dual = new DualGaussNewton<TModel>(problem, new DualGaussNewtonOptions
        {
            Gamma = config.Gamma,
            MaxCgIterations = config.CgIterations,
            RelativeTolerance = 0,
            DescentSafeguard = false,
        });
        // Warm-up (JIT of this model's generated code, caches), then alternate timed calls.
        primal.Direction(theta, direction);
        dual.Direction(theta, direction);
        // At least TimingRepeats each, more for cheap cells (until 50 ms of each has been timed, at most 60), so that
        // a burst of load from other processes does not decide a cell alone.
        var primalTimes = new List<double>();
        var dualTimes = new List<double>();
        var clock = new Stopwatch();
        while (primalTimes.Count < config.TimingRepeats || (primalTimes.Sum() < 0.05 && primalTimes.Count < 60))
        {
            clock.Restart();
            primal.Direction(theta, direction);
            primalTimes.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            dual.Direction(theta, direction);
            dualTimes.Add(clock.Elapsed.TotalSeconds);
        }
        var negativeGradient = new double[p];
        new GradientOracle<TModel>(problem).Direction(theta, negativeGradient);
        double slope = -TensorPrimitives.Dot<double>(negativeGradient, direction) / (TensorPrimitives.Norm<double>(negativeGradient) * TensorPrimitives.Norm<double>(direction));

        var (difference, primalIterations, dualIterations) = Agreement(problem, theta, config.Gamma, config.AgreementTolerance, config.AgreementMaxIterations);
        return new TimingCell(loss, WidthOf(p), p, batch, problem.ResidualCount, primalTimes.Min(), dualTimes.Min(),
            Median(primalTimes), Median(dualTimes), primalTimes.Count, slope, difference, primalIterations, dualIterations);
    }

    /// <summary>Claim (b): both CGs run to <paramref name="tolerance"/>; returns ‖v_p − v_d‖/‖v_d‖ and the iterations each needed.</summary>
    public static (double RelativeDifference, int PrimalIterations, int DualIterations) Agreement<TModel>(
        TrainingProblem<TModel> problem, double[] theta, double gamma, double tolerance, int maxIterations) where TModel : IModel<TModel>
    {
        int p = problem.ParameterCount;
        var primalDirection = new double[p];
        var dualDirection = new double[p];
        var primal = new PrimalGaussNewton<TModel>(problem, gamma, maxIterations, tolerance);
        primal.Direction(theta, primalDirection);
        var dual = new DualGaussNewton<TModel>(problem, new DualGaussNewtonOptions
        {
            Gamma = gamma,
            MaxCgIterations = maxIterations,
            RelativeTolerance = tolerance,
            DescentSafeguard = false,
        });
        dual.Direction(theta, dualDirection);
        var difference = new double[p];
        TensorPrimitives.Subtract<double>(primalDirection, dualDirection, difference);
        double relative = TensorPrimitives.Norm<double>(difference) / TensorPrimitives.Norm<double>(dualDirection);
        return (relative, primal.LastIterations, dual.LastIterations);
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    /// <summary>A short name for the loss.</summary>
    public static string Describe(LossKind loss) => loss == LossKind.Squared ? "squared" : "softmax";

    private static int WidthOf(int parameters) => Networks.Widths.First(w => Networks.Parameters(w) == parameters);

    private sealed class CellVisitor(ExperimentConfig config, LossKind loss, int batch, int seed) : INetworkVisitor<TimingCell>
    {
        public TimingCell Visit<TModel>() where TModel : IModel<TModel> => Measure<TModel>(config, loss, batch, seed);
    }
}
