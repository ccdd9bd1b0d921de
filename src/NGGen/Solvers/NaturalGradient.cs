using System.Diagnostics;
using System.Numerics.Tensors;
using NGGen.Kernels;
using NGGen.LinearAlgebra;

namespace NGGen.Solvers;

/// <summary>Options for <see cref="NaturalGradient{TModel}"/>.</summary>
public sealed record NaturalGradientOptions
{
    /// <summary>Step size η in θ ← θ + η δ (the first step a backtracking search tries). Default 1: for the
    /// squared loss and full-rank J that is the Gauss-Newton step.</summary>
    public double LearningRate { get; init; } = 1.0;

    /// <summary>Tikhonov damping λ ≥ 0 in δ = −(G + λI)⁺∇L. Default 0 (the plain pseudo-inverse natural gradient).</summary>
    public double Damping { get; init; }

    /// <summary>Maximum iterations. Default 100.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Eigenvalues of G + λI below this × the largest are dropped from the pseudo-inverse. Default
    /// 1e-12: G = JᵀHJ squares J's condition number, so this keeps singular directions of √H·J down to
    /// about 1e-6 of the largest and drops the rounding noise (~1e-16 relative) of the null space.</summary>
    public double PseudoInverseCutoff { get; init; } = 1e-12;

    /// <summary>Stop when ‖∇L‖∞ falls below this. Default 1e-10.</summary>
    public double GradientTolerance { get; init; } = 1e-10;

    /// <summary>Halvings of the step tried when it fails the Armijo test
    /// L(θ + ηδ) ≤ L(θ) + 1e-4·η·∇Lᵀδ. Default 0: a fixed step, which follows the natural-gradient
    /// flow (the object of study in Kerekes et al. 2021); a positive value makes the solver a descent
    /// method for deep or badly scaled models, where the first-order step overshoots.</summary>
    public int MaxBacktracks { get; init; }

    /// <summary>Caps the step so that ‖ηδ‖ ≤ this × ‖θ‖ (no cap at θ = 0). Default ∞ (no cap). The natural-gradient
    /// flow's path does not depend on how fast it is traversed, so a cap changes only the discretisation:
    /// from a small initialisation of a deep net δ is huge (J is a product of small factors) and a plain
    /// step of η overshoots far off the flow; a cap of about 0.05 lets θ grow geometrically to the scale
    /// where η is a small step.</summary>
    public double MaxRelativeStep { get; init; } = double.PositiveInfinity;

    /// <summary>Called after every iteration; return false to stop.</summary>
    public Func<IterationSummary, bool>? Callback { get; init; }
}

/// <summary>
/// Natural gradient descent with the Fisher / generalised Gauss-Newton metric G = JᵀHJ (J the stacked
/// output Jacobian, H the output-space loss curvature) in primal pseudo-inverse form:
/// δ = −(G + λI)⁺∇L, ∇L = Jᵀg. G is a dense p×p matrix decomposed by Jacobi eigenvalues, so this is for
/// small parameter counts; for few outputs and many parameters see <see cref="KernelNaturalGradient{TModel}"/>.
/// Works for every <see cref="OutputLoss"/>. When J has full row rank and λ = 0 the outputs move by
/// Jδ = −H⁻¹g whatever the depth or parameterization (Kerekes, Mészáros and Huszár 2021): the squared
/// loss gives −(F − y), the logistic loss grows every margin at the same rate.
/// All buffers are allocated once: <see cref="Direction"/> allocates nothing, <see cref="Solve"/> only its direction and history.
/// </summary>
public sealed class NaturalGradient<TModel> where TModel : IModel<TModel>
{
    private const double Armijo = 1e-4;

    private readonly TrainingProblem<TModel> _problem;
    // Sobolev (or any other) metric: G = J_Mᵀ J_M from the metric problem's least-squares blocks.
    private readonly TrainingProblem<TModel>? _metric;
    private readonly double[] _metricJacobian = [];
    private readonly double[] _outputGradient, _jacobian, _curvedJacobian, _column, _curvedColumn, _gramian, _gradient, _trial;
    private readonly GramianDirection _solver;

    /// <summary>Prepares the buffers for <paramref name="problem"/>.</summary>
    /// <param name="problem">The loss.</param>
    /// <param name="options">Step, damping and stopping; null for the defaults.</param>
    /// <param name="metric">Null for the Fisher/GGN metric JᵀHJ of the loss; otherwise a least-squares problem
    /// whose Gauss-Newton matrix J_MᵀJ_M is the metric, e.g. <see cref="SobolevMetric.H1{TModel}"/> for the
    /// Sobolev natural gradient in derivative form (Bai, Rosenberg and Xu 2022).</param>
    public NaturalGradient(TrainingProblem<TModel> problem, NaturalGradientOptions? options = null, TrainingProblem<TModel>? metric = null)
    {
        options ??= new NaturalGradientOptions();
        Validate(options);
        _problem = problem;
        Options = options;
        int m = problem.ResidualCount, p = problem.ParameterCount;
        _outputGradient = new double[m];
        _jacobian = new double[m * p];
        _curvedJacobian = new double[m * p];
        _column = new double[m];
        _curvedColumn = new double[m];
        _gramian = new double[p * p];
        _gradient = new double[p];
        _trial = new double[p];
        _solver = new GramianDirection(p);
        if (metric is not null)
        {
            metric.RequireSquaredLoss("A natural-gradient metric");
            _metric = metric;
            _metricJacobian = new double[metric.ResidualCount * p];
        }
    }

    /// <summary>The options in use.</summary>
    public NaturalGradientOptions Options { get; }

    /// <summary>∇L at the point of the last <see cref="Direction"/>.</summary>
    public ReadOnlySpan<double> Gradient => _gradient;

    /// <summary>How many eigen-directions of G + λI the last pseudo-inverse kept.</summary>
    public int Rank { get; private set; }

    /// <summary>
    /// Writes δ = −(G + λI)⁺∇L at θ (to be applied as θ + η δ) into <paramref name="direction"/> and returns
    /// the cost L(θ). ∇L is then available as <see cref="Gradient"/>. The problem's curvature is left at θ.
    /// </summary>
    public double Direction(ReadOnlySpan<double> theta, Span<double> direction)
    {
        int m = _problem.ResidualCount, p = _problem.ParameterCount;
        if (theta.Length != p || direction.Length != p)
            throw new ArgumentException($"θ and the direction need {p} entries ({TModel.Name}); got {theta.Length} and {direction.Length}.");
        double cost = _problem.Evaluate(theta, _outputGradient);
        if (_metric is not null)
        {
            // G = J_MᵀJ_M (e.g. values and input derivatives at the metric samples); ∇L from one VJP.
            int rows = _metric.ResidualCount;
            _metric.Jacobian(theta, _metricJacobian);
            Gemm.Multiply<double>(true, false, p, p, rows, _metricJacobian, p, _metricJacobian, p, _gramian, p, false);
            _problem.LinearizedVjp(theta, _outputGradient, _gradient, _column, GradientWrite.Overwrite);
            return SolveWithGramian(direction, p, cost);
        }
        _problem.Jacobian(theta, _jacobian);

        // HJ column by column: H acts on output space, and for softmax blocks it is not diagonal.
        for (int j = 0; j < p; j++)
        {
            for (int i = 0; i < m; i++)
                _column[i] = _jacobian[i * p + j];
            _problem.ApplyCurvature(_column, _curvedColumn);
            for (int i = 0; i < m; i++)
                _curvedJacobian[i * p + j] = _curvedColumn[i];
        }
        Gemm.Multiply<double>(true, false, p, p, m, _jacobian, p, _curvedJacobian, p, _gramian, p, false);
        Gemm.Multiply<double>(true, false, p, 1, m, _jacobian, p, _outputGradient, 1, _gradient, 1, false);
        return SolveWithGramian(direction, p, cost);
    }

    // δ = −(G + λI)⁺∇L from the Gramian in _gramian and ∇L in _gradient.
    private double SolveWithGramian(Span<double> direction, int p, double cost)
    {
        _solver.Solve(_gramian, p, Options.Damping, Options.PseudoInverseCutoff, _gradient, direction);
        Rank = _solver.Rank;
        return cost;
    }

    /// <summary>Runs natural gradient descent from <paramref name="theta"/> (updated in place; on a non-finite
    /// cost the last parameters with a finite cost are kept).</summary>
    public SolverSummary Solve(Span<double> theta)
    {
        int p = _problem.ParameterCount;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        var clock = Stopwatch.StartNew();
        var direction = new double[p];
        var history = IterationHistory.Create(Options.MaxIterations);
        int evaluations = 1, jacobians = 1;

        double cost = Direction(theta, direction);
        double initialCost = cost;
        if (!double.IsFinite(cost))
            return Finish(TerminationType.NonFiniteCost, $"the cost at the initial parameters is {cost}", 0);
        for (int iteration = 1; iteration <= Options.MaxIterations; iteration++)
        {
            double gradientNorm = Math.Abs(TensorPrimitives.MaxMagnitude<double>(_gradient));
            if (!double.IsFinite(gradientNorm) || !IsFinite(direction))
                return Finish(TerminationType.NonFiniteCost, $"the gradient or the natural-gradient direction contains NaN or Inf at iteration {iteration}; the last finite parameters are kept", iteration - 1);
            if (gradientNorm < Options.GradientTolerance)
                return Finish(TerminationType.GradientTolerance, $"‖∇L‖∞ = {gradientNorm:E3} < {Options.GradientTolerance:E1}", iteration - 1);

            double slope = TensorPrimitives.Dot<double>(_gradient, direction);
            double directionNorm = TensorPrimitives.Norm<double>(direction), thetaNorm = TensorPrimitives.Norm<double>(theta);
            double step = Options.LearningRate, trialCost = double.NaN;
            if (thetaNorm > 0 && step * directionNorm > Options.MaxRelativeStep * thetaNorm)
                step = Options.MaxRelativeStep * thetaNorm / directionNorm;
            int backtracks = 0;
            while (true)
            {
                TensorPrimitives.MultiplyAdd<double>(direction, step, theta, _trial);
                // Evaluate into the output-gradient buffer: Direction refreshes it at the accepted point.
                trialCost = _problem.Evaluate(_trial, _outputGradient);
                evaluations++;
                if (Options.MaxBacktracks == 0 || (double.IsFinite(trialCost) && trialCost <= cost + Armijo * step * slope))
                    break;
                if (backtracks == Options.MaxBacktracks)
                {
                    // Leave the problem's curvature at the parameters that are kept.
                    _problem.Evaluate(theta, _outputGradient);
                    return Finish(TerminationType.NoProgress, $"no step down to η = {step:E2} satisfied the Armijo condition (∇Lᵀδ = {slope:E3})", iteration - 1);
                }
                backtracks++;
                step *= 0.5;
            }
            if (!double.IsFinite(trialCost))
            {
                _problem.Evaluate(theta, _outputGradient);
                return Finish(TerminationType.NonFiniteCost, $"the cost became {trialCost} at iteration {iteration} (learning rate {Options.LearningRate} too large? set MaxBacktracks); the last finite parameters are kept", iteration - 1);
            }

            _trial.CopyTo(theta);
            double previous = cost;
            cost = Direction(theta, direction);
            evaluations++;
            jacobians++;
            var record = new IterationSummary(iteration, cost, previous - cost, gradientNorm, step * directionNorm,
                Options.Damping, double.NaN, true, backtracks, clock.Elapsed.TotalSeconds);
            history.Add(record);
            if (Options.Callback is { } callback && !callback(record))
                return Finish(TerminationType.UserStopped, "stopped by the callback", iteration);
        }
        return Finish(TerminationType.MaxIterations, $"reached {Options.MaxIterations} iterations", Options.MaxIterations);

        SolverSummary Finish(TerminationType termination, string message, int iterations) =>
            new(termination, message, initialCost, cost, iterations, evaluations, jacobians, clock.Elapsed.TotalSeconds, history);
    }


    private static bool IsFinite(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
            if (!double.IsFinite(v))
                return false;
        return true;
    }

    private static void Validate(NaturalGradientOptions options)
    {
        if (!(options.LearningRate > 0) || double.IsInfinity(options.LearningRate))
            throw new ArgumentOutOfRangeException(nameof(options), options.LearningRate, "NaturalGradientOptions.LearningRate must be positive and finite.");
        if (!(options.Damping >= 0) || double.IsInfinity(options.Damping))
            throw new ArgumentOutOfRangeException(nameof(options), options.Damping, "NaturalGradientOptions.Damping must be non-negative and finite.");
        if (options.MaxIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxIterations, "NaturalGradientOptions.MaxIterations must not be negative.");
        if (!(options.PseudoInverseCutoff >= 0 && options.PseudoInverseCutoff < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.PseudoInverseCutoff, "NaturalGradientOptions.PseudoInverseCutoff must lie in [0, 1).");
        if (!(options.MaxRelativeStep > 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRelativeStep, "NaturalGradientOptions.MaxRelativeStep must be positive (∞ for no cap).");
        if (options.MaxBacktracks < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxBacktracks, "NaturalGradientOptions.MaxBacktracks must not be negative.");
    }
}
