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
/// <param name="Repeats">Timed directions per formulation (over all rounds).</param>
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
/// one more forward pass per direction. This machine is shared, so timings are taken in rounds over all cells
/// (load bursts of a few seconds then hit one round of a cell, not all of its calls), primal and dual calls
/// alternate within a cell, and the fastest call estimates a direction's cost free of that load; the median is
/// kept alongside.
/// </summary>
public static class DirectionSweep
{
    /// <summary>Runs every (loss, width, batch) cell within the work cap; <paramref name="progress"/> gets a line per cell.</summary>
    public static IReadOnlyList<TimingCell> Run(ExperimentConfig config, int seed, TextWriter progress)
    {
        var benches = new List<ICellBench>();
        foreach (var loss in new[] { LossKind.Squared, LossKind.SoftmaxCrossEntropy })
            foreach (int width in config.Widths)
                foreach (int batch in config.Batches)
                    if ((long)batch * Networks.Parameters(width) <= config.MaxWork)
                        benches.Add(Networks.Visit(width, new BenchVisitor(config, loss, batch, seed)));
        for (int round = 1; round <= config.TimingRepeats; round++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var bench in benches)
                bench.TimeRound();
            progress.WriteLine($"   timing round {round} of {config.TimingRepeats} over {benches.Count} cells: {clock.Elapsed.TotalSeconds:F1} s");
        }
        var cells = new List<TimingCell>();
        foreach (var bench in benches)
        {
            var cell = bench.Finish();
            cells.Add(cell);
            progress.WriteLine($"   {Describe(cell.Loss),-8} p = {cell.Parameters,6}, m = {cell.Outputs,5}: primal {cell.PrimalSeconds * 1e3,7:F3} ms, dual {cell.DualSeconds * 1e3,7:F3} ms, " +
                $"ratio {cell.Ratio,5:F2} (median {cell.MedianRatio:F2}); converged directions differ by {cell.RelativeDifference:E1} ({cell.PrimalIterations} / {cell.DualIterations} CG iterations)");
        }
        return cells;
    }

    private interface ICellBench
    {
        void TimeRound();

        TimingCell Finish();
    }

    // One cell's problem and oracles, kept across the timing rounds.
    private sealed class CellBench<TModel> : ICellBench where TModel : IModel<TModel>
    {
        private readonly ExperimentConfig _config;
        private readonly LossKind _loss;
        private readonly TrainingProblem<TModel> _problem;
        private readonly double[] _theta, _direction;
        private readonly PrimalGaussNewton<TModel> _primal;
        private readonly DualGaussNewton<TModel> _dual;
        private readonly List<double> _primalTimes = [], _dualTimes = [];
        private readonly Stopwatch _clock = new();

        public CellBench(ExperimentConfig config, LossKind loss, int batch, int seed)
        {
            _config = config;
            _loss = loss;
            _problem = Problems.Create<TModel>(loss, batch, seed);
            _theta = Problems.InitialParameters<TModel>(seed);
            _direction = new double[TModel.ParameterCount];
            _primal = new PrimalGaussNewton<TModel>(_problem, config.Gamma, config.CgIterations, relativeTolerance: 0);
            _dual = new DualGaussNewton<TModel>(_problem, new DualGaussNewtonOptions
            {
                Gamma = config.Gamma,
                MaxCgIterations = config.CgIterations,
                RelativeTolerance = 0,
                DescentSafeguard = false,
            });
            // Warm-up: caches and the first call's allocations of the generated code.
            _primal.Direction(_theta, _direction);
            _dual.Direction(_theta, _direction);
        }

        // Alternating calls until 20 ms of each has been timed this round (at least one, at most 20).
        public void TimeRound()
        {
            double spent = 0;
            for (int call = 0; call < 20 && (call == 0 || spent < 0.02); call++)
            {
                _clock.Restart();
                _primal.Direction(_theta, _direction);
                double t = _clock.Elapsed.TotalSeconds;
                _primalTimes.Add(t);
                spent += t;
                _clock.Restart();
                _dual.Direction(_theta, _direction);
                _dualTimes.Add(_clock.Elapsed.TotalSeconds);
            }
        }

        public TimingCell Finish()
        {
            int p = TModel.ParameterCount;
            // _direction holds the last dual direction (fixed CG iterations).
            _dual.Direction(_theta, _direction);
            var negativeGradient = new double[p];
            new GradientOracle<TModel>(_problem).Direction(_theta, negativeGradient);
            double cosine = -TensorPrimitives.Dot<double>(negativeGradient, _direction)
                / (TensorPrimitives.Norm<double>(negativeGradient) * TensorPrimitives.Norm<double>(_direction));
            var (difference, primalIterations, dualIterations) = Agreement(_problem, _theta, _config.Gamma, _config.AgreementTolerance, _config.AgreementMaxIterations);
            return new TimingCell(_loss, WidthOf(p), p, _problem.Blocks[0].Batch, _problem.ResidualCount, _primalTimes.Min(), _dualTimes.Min(),
                Median(_primalTimes), Median(_dualTimes), _primalTimes.Count, cosine, difference, primalIterations, dualIterations);
        }
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

    private sealed class BenchVisitor(ExperimentConfig config, LossKind loss, int batch, int seed) : INetworkVisitor<ICellBench>
    {
        public ICellBench Visit<TModel>() where TModel : IModel<TModel> => new CellBench<TModel>(config, loss, batch, seed);
    }
}
