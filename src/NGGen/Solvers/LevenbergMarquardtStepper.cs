using System.Numerics.Tensors;
using NGGen.IO;
using NGGen.LinearAlgebra;

namespace NGGen.Solvers;

/// <summary>What one <see cref="LevenbergMarquardtStepper{TModel}"/> iteration did.</summary>
/// <param name="Stepped">False when the solve ended before a step was tried (gradient or parameter tolerance, a
/// non-finite Jacobian): <see cref="Termination"/> says why and <see cref="Record"/> is empty.</param>
/// <param name="Record">The iteration's row: cost after it, change, ‖Jᵀr‖∞, ‖δ‖, μ = 1/radius, ratio, accepted.</param>
/// <param name="Termination">Set when the solve is over (after this iteration's step, or instead of it).</param>
/// <param name="Message">Why, in words, when <see cref="Termination"/> is set.</param>
public readonly record struct LevenbergMarquardtOutcome(bool Stepped, IterationSummary Record, TerminationType? Termination, string? Message);

/// <summary>
/// <see cref="LevenbergMarquardt"/> one iteration at a time, with every buffer allocated by the constructor: Solve drives
/// it, and callers that own the loop (a trainer that checkpoints) use it directly. The trust region radius, its
/// decrease factor, the last accepted step length and whether a tolerance ended the solve are its state besides θ (<see cref="CaptureState"/>); the
/// residuals and the Jacobian's factorization are recomputed at θ after <see cref="RestoreState"/>, bit for bit.
/// </summary>
public sealed class LevenbergMarquardtStepper<TModel> where TModel : IModel<TModel>
{
    /// <summary>The name <see cref="CaptureState"/> records.</summary>
    public const string StateName = "lm";

    private readonly TrainingProblem<TModel> _problem;
    private readonly LevenbergMarquardtOptions _options;
    private readonly double[] _residuals, _working, _trialResiduals, _modelChange, _jacobian;
    private readonly double[] _step, _trial, _gradient, _diagonal, _damping;
    private readonly DampedLeastSquares _subproblem;
    private double _radius, _decreaseFactor = 2, _gradientNorm, _lastAcceptedStep = double.PositiveInfinity;
    // True when _residuals and Cost belong to the current θ; _needJacobian when J (and its QR) must be recomputed.
    private bool _evaluated, _needJacobian = true;
    // Set once a tolerance test has ended the solve after a step (function tolerance, no progress): a resumed
    // stepper must stop there too, not take the steps an uninterrupted run never took.
    private TerminationType? _finished;

    public LevenbergMarquardtStepper(TrainingProblem<TModel> problem, LevenbergMarquardtOptions? options = null)
    {
        _problem = problem;
        _options = options ?? new LevenbergMarquardtOptions();
        int m = problem.ResidualCount, p = problem.ParameterCount;
        _residuals = new double[m];
        _working = new double[m];   // residuals after the robust-loss correction (= residuals for least squares)
        _trialResiduals = new double[m];
        _modelChange = new double[m]; // J δ
        _jacobian = new double[m * p]; // column-major
        _step = new double[p];
        _trial = new double[p];
        _gradient = new double[p];
        _diagonal = new double[p];
        _damping = new double[p];
        _subproblem = new DampedLeastSquares(m, p);
        _radius = _options.InitialTrustRegionRadius;
    }

    /// <summary>The cost at θ as of the last evaluation (NaN before the first).</summary>
    public double Cost { get; private set; } = double.NaN;

    /// <summary>Residual evaluations so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>Jacobian evaluations so far.</summary>
    public int JacobianEvaluations { get; private set; }

    /// <summary>Evaluates the residuals at θ and returns the cost; the next iteration computes the Jacobian there.</summary>
    public double Evaluate(ReadOnlySpan<double> theta)
    {
        Cost = _problem.Cost(theta, _residuals);
        Evaluations++;
        _evaluated = true;
        _needJacobian = true;
        return Cost;
    }

    /// <summary>One iteration (number <paramref name="iteration"/>, for the record) from <paramref name="theta"/>,
    /// which moves to θ + δ when the step is accepted.</summary>
    public LevenbergMarquardtOutcome Iterate(int iteration, Span<double> theta, double elapsedSeconds)
    {
        int m = _residuals.Length, p = _step.Length;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        if (_finished is { } finished)
            return Stop(finished, $"the solve had already ended ({finished})");
        if (!_evaluated && !double.IsFinite(Evaluate(theta)))
            return Stop(TerminationType.NonFiniteCost, $"the cost is {Cost}");
        double cost = Cost;
        if (_needJacobian)
        {
            _problem.JacobianColumns(theta, _jacobian);
            JacobianEvaluations++;
            _needJacobian = false;
            LevenbergMarquardt.ApplyRobustCorrection(_problem, _residuals, _working, _jacobian, p);
            // g = Jᵀr and the scaling D = sqrt(diag(JᵀJ)), clamped as in Ceres.
            bool finite = true;
            _gradientNorm = 0;
            for (int j = 0; j < p; j++)
            {
                var column = _jacobian.AsSpan(j * m, m);
                _gradient[j] = TensorPrimitives.Dot<double>(column, _working);
                _diagonal[j] = Math.Sqrt(Math.Clamp(TensorPrimitives.Dot<double>(column, column), _options.MinDiagonal, _options.MaxDiagonal));
                finite &= double.IsFinite(_gradient[j]) && double.IsFinite(_diagonal[j]);
                _gradientNorm = Math.Max(_gradientNorm, Math.Abs(_gradient[j]));
            }
            if (!finite)
                return Stop(TerminationType.NonFiniteCost, "the Jacobian contains NaN or Inf");
            if (_gradientNorm < _options.GradientTolerance)
                return Stop(TerminationType.GradientTolerance, $"‖Jᵀr‖∞ = {_gradientNorm:E3} < {_options.GradientTolerance:E1}");
            _subproblem.Factor(_jacobian, _working, m);
        }

        // min ‖J δ + r‖² + μ‖D δ‖², μ = 1/radius: the QR solution of [J; √μ D] δ = [−r; 0].
        double sqrtMu = Math.Sqrt(1 / _radius);
        for (int j = 0; j < p; j++)
            _damping[j] = sqrtMu * _diagonal[j];
        _subproblem.Solve(_damping, _step);

        double stepNorm = TensorPrimitives.Norm<double>(_step), thetaNorm = TensorPrimitives.Norm<double>(theta);
        if (stepNorm <= _options.ParameterTolerance * (thetaNorm + _options.ParameterTolerance))
            return Stop(TerminationType.ParameterTolerance, $"‖δ‖ = {stepNorm:E3} ≤ {_options.ParameterTolerance:E1}·(‖θ‖ + tol)");

        // Predicted decrease of the linear model, ½‖r‖² − ½‖r + Jδ‖² = −(Jδ)ᵀ(r + Jδ/2) (Ceres' form: no
        // cancellation between two nearly equal costs).
        Array.Clear(_modelChange);
        for (int j = 0; j < p; j++)
            TensorPrimitives.MultiplyAdd<double>(_jacobian.AsSpan(j * m, m), _step[j], _modelChange, _modelChange);
        double predictedDecrease = -(TensorPrimitives.Dot<double>(_modelChange, _working) + 0.5 * TensorPrimitives.Dot<double>(_modelChange, _modelChange));

        for (int j = 0; j < p; j++)
            _trial[j] = theta[j] + _step[j];
        double trialCost = _problem.Cost(_trial, _trialResiduals);
        Evaluations++;
        double ratio = double.IsFinite(trialCost) && predictedDecrease > 0 ? (cost - trialCost) / predictedDecrease : double.NegativeInfinity;
        bool accepted = ratio > _options.MinRelativeDecrease;
        // At the rounding floor the ratio is noise: the model predicts a decrease smaller than the rounding
        // error of the cost itself, so comparing costs cannot judge the step. Such a step is taken when it
        // raises the cost by no more than that error and is no longer than the last accepted step (whose ratio
        // validated the model at that scale); the function tolerance then ends the solve. Ceres stops at this
        // candidate without taking it; taking it is one more Gauss-Newton step, which is what the last digits
        // of the parameters need where the cost is flat to rounding (NIST Rat43: 7.9 → 9.2 correct digits).
        double roundingFloor = LevenbergMarquardt.CostRoundingUlps * LevenbergMarquardt.MachineEpsilon * cost;
        bool atRoundingFloor = predictedDecrease > 0 && predictedDecrease <= roundingFloor;
        if (!accepted && double.IsFinite(trialCost) && atRoundingFloor
            && trialCost <= cost + roundingFloor && stepNorm <= _lastAcceptedStep)
            accepted = true;
        double change = accepted ? cost - trialCost : 0;
        // For the same reason the function tolerance judges a step at the floor by the model's decrease, not by the
        // difference of two costs, which there is rounding noise: a noisy difference that happened to be tiny ended
        // Rat43 one step early, at 7.9 digits, where 128-bit vectors (ARM64) summed the residuals in another order.
        double convergedChange = atRoundingFloor ? predictedDecrease : change;
        var record = new IterationSummary(iteration, accepted ? trialCost : cost, change, _gradientNorm, stepNorm, 1 / _radius, ratio, accepted, 0,
            elapsedSeconds);

        if (accepted)
        {
            _trial.CopyTo(theta);
            _lastAcceptedStep = stepNorm;
            Array.Copy(_trialResiduals, _residuals, m);
            Cost = trialCost;
            _radius /= Math.Max(1.0 / 3.0, 1 - Math.Pow(2 * ratio - 1, 3));
            _decreaseFactor = 2;
            _needJacobian = true;
            if (convergedChange <= _options.FunctionTolerance * cost)
                return Finished(record, TerminationType.FunctionTolerance, $"|Δcost|/cost = {convergedChange / cost:E3} ≤ {_options.FunctionTolerance:E1}"
                    + (atRoundingFloor ? " (the model's decrease: the cost is flat to rounding)" : ""));
        }
        else
        {
            _radius /= _decreaseFactor;
            _decreaseFactor *= 2;
            if (_radius < _options.MinTrustRegionRadius)
                return Finished(record, TerminationType.NoProgress, $"the trust region shrank below {_options.MinTrustRegionRadius:E1} without an acceptable step");
        }
        return new(true, record, null, null);
    }

    /// <summary>The trust region radius, its decrease factor and the last accepted step length: with them a stepper at
    /// the same θ continues bit for bit.</summary>
    public SolverState CaptureState()
    {
        var state = new SolverState(StateName);
        state.Scalars["radius"] = _radius;
        state.Scalars["decrease_factor"] = _decreaseFactor;
        state.Scalars["last_accepted_step"] = _lastAcceptedStep;
        state.Scalars["finished"] = _finished is { } finished ? (int)finished : -1;
        return state;
    }

    /// <summary>Continues from <paramref name="state"/> (written by <see cref="CaptureState"/>); the next iteration
    /// evaluates the residuals and the Jacobian at the θ it is given.</summary>
    public void RestoreState(SolverState state)
    {
        if (state.Solver != StateName)
            throw new InvalidDataException($"the checkpoint's solver state is {state.Solver}'s, not {StateName}'s.");
        double radius = state.Scalar("radius"), decreaseFactor = state.Scalar("decrease_factor"), lastAccepted = state.Scalar("last_accepted_step");
        if (!(radius > 0) || double.IsPositiveInfinity(radius) || !(decreaseFactor >= 2) || !(lastAccepted >= 0))
            throw new InvalidDataException($"the {StateName} state is inconsistent (radius {radius}, decrease factor {decreaseFactor}, last step {lastAccepted}).");
        double finished = state.Scalar("finished");
        if (finished != -1 && !Enum.IsDefined((TerminationType)(int)finished))
            throw new InvalidDataException($"the {StateName} state's 'finished' is {finished}, not a termination type.");
        _radius = radius;
        _decreaseFactor = decreaseFactor;
        _lastAcceptedStep = lastAccepted;
        _finished = finished == -1 ? null : (TerminationType)(int)finished;
        _evaluated = false;
        _needJacobian = true;
    }

    private LevenbergMarquardtOutcome Finished(IterationSummary record, TerminationType termination, string message)
    {
        _finished = termination;
        return new(true, record, termination, message);
    }

    private static LevenbergMarquardtOutcome Stop(TerminationType termination, string message) => new(false, default, termination, message);
}
