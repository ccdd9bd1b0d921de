using System.Numerics.Tensors;
using NGGen.IO;

namespace NGGen.Solvers;

/// <summary>What one outer iteration of <see cref="GaussNewtonCgStepper{TModel}"/> did.</summary>
/// <param name="CostBefore">The cost at θ before the iteration.</param>
/// <param name="GradientMaxNorm">‖∇L‖∞ at θ before the iteration.</param>
/// <param name="Stepped">False when the iteration stopped at the gradient (non-finite, or below
/// <see cref="GaussNewtonCgOptions.GradientTolerance"/>) without computing a step.</param>
/// <param name="CgIterations">CG iterations run.</param>
/// <param name="StepNorm">‖δ‖ of the CG step.</param>
/// <param name="TrialCost">The cost at θ + δ.</param>
/// <param name="Ratio">Actual over predicted reduction ρ (−∞ when the prediction was not a decrease or the trial cost not finite).</param>
/// <param name="Accepted">True when θ + δ reduced the cost and θ was moved there.</param>
public readonly record struct GaussNewtonCgOutcome(
    double CostBefore, double GradientMaxNorm, bool Stepped, int CgIterations, double StepNorm, double TrialCost, double Ratio, bool Accepted);

/// <summary>
/// Hessian-free Gauss-Newton one outer iteration at a time, with every buffer allocated by the constructor:
/// <see cref="GaussNewtonCg.Solve"/> drives it, and callers that own the loop (or time one iteration) use it
/// directly. An iteration evaluates and linearizes the model at θ (unless the last iteration left it there),
/// forms ∇L = Jᵀg, runs CG on (G + λI)δ = −∇L, prices the step with the undamped model, evaluates θ + δ,
/// updates λ from the reduction ratio and moves θ when the cost fell. Iterations allocate nothing.
/// </summary>
public sealed class GaussNewtonCgStepper<TModel> where TModel : IModel<TModel>
{
    private readonly TrainingProblem<TModel> _problem;
    private readonly GaussNewtonCgOptions _options;
    private readonly double[] _outputGradient;
    private readonly double[] _trialOutputs;
    private readonly double[] _scratch;
    private readonly double[] _gradient;
    private readonly double[] _step;
    private readonly double[] _trial;
    private readonly double[] _product;
    private readonly DampedConjugateGradient<double[]> _cg;
    private readonly GaussNewtonOperator _gaussNewton;
    private readonly double[] _theta;
    // True when the problem's linearization and _outputGradient belong to the current θ.
    private bool _evaluated;
    // True when the next CG starts from δ = 0 (then its first product A·δ₀ = 0 is not computed).
    private bool _coldStart = true;

    public GaussNewtonCgStepper(TrainingProblem<TModel> problem, GaussNewtonCgOptions? options = null)
    {
        _problem = problem;
        _options = options ?? new GaussNewtonCgOptions();
        if (_options.MaxCgIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxCgIterations, "MaxCgIterations must be at least 1.");
        int p = problem.ParameterCount, m = problem.ResidualCount;
        _outputGradient = new double[m];
        _trialOutputs = new double[m];
        _scratch = new double[m];
        _gradient = new double[p];
        _step = new double[p];
        _trial = new double[p];
        _product = new double[p];
        _cg = new DampedConjugateGradient<double[]>(HostVectors.Instance, new double[p], new double[p], _product, _options.MaxCgIterations, _options.CgEpsilon);
        _gaussNewton = new GaussNewtonOperator(this);
        _theta = new double[p];
        Damping = _options.InitialDamping;
    }

    /// <summary>The damping λ the next iteration uses (starts at <see cref="GaussNewtonCgOptions.InitialDamping"/>).</summary>
    public double Damping { get; set; }

    /// <summary>The cost at θ as of the last evaluation (NaN before the first).</summary>
    public double Cost { get; private set; } = double.NaN;

    /// <summary>The last iteration's CG step δ, accepted or not (an accepted one warm-starts the next CG).</summary>
    public ReadOnlySpan<double> Step => _step;

    /// <summary>∇L at θ as of the last iteration.</summary>
    public ReadOnlySpan<double> Gradient => _gradient;

    /// <summary>Gauss-Newton products computed so far.</summary>
    public int Products { get; private set; }

    /// <summary>Model evaluations (linearizations and trial costs) so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>Starts afresh at a new θ: the next iteration evaluates there, CG starts from δ = 0 and
    /// λ returns to <see cref="GaussNewtonCgOptions.InitialDamping"/>.</summary>
    public void Reset()
    {
        _evaluated = false;
        Array.Clear(_step);
        _coldStart = true;
        Damping = _options.InitialDamping;
    }

    /// <summary>Evaluates and linearizes at θ now and returns the cost (the next iteration reuses it; θ must not change in between).</summary>
    public double Evaluate(ReadOnlySpan<double> theta)
    {
        Cost = _problem.Evaluate(theta, _outputGradient);
        Evaluations++;
        _evaluated = true;
        return Cost;
    }

    /// <summary>The name <see cref="CaptureState"/> records.</summary>
    public const string StateName = "gn-cg";

    /// <summary>Everything besides θ the next iteration depends on: λ, the warm-start step and whether CG starts
    /// cold. A stepper given it by <see cref="RestoreState"/> at the same θ continues bit for bit as this one would.</summary>
    public SolverState CaptureState()
    {
        var state = new SolverState(StateName);
        state.Scalars["damping"] = Damping;
        state.Scalars["cold_start"] = _coldStart ? 1 : 0;
        state.Vectors["step"] = (double[])_step.Clone();
        return state;
    }

    /// <summary>Continues from <paramref name="state"/> (written by <see cref="CaptureState"/>); the next iteration
    /// evaluates at the θ it is given.</summary>
    public void RestoreState(SolverState state)
    {
        if (state.Solver != StateName)
            throw new InvalidDataException($"the checkpoint's solver state is {state.Solver}'s, not {StateName}'s.");
        double damping = state.Scalar("damping");
        if (!(damping > 0) || !double.IsFinite(damping))
            throw new InvalidDataException($"the {StateName} state's damping {damping} is not a positive finite number.");
        var step = state.Vector("step", _step.Length);
        if (!step.All(double.IsFinite))
            throw new InvalidDataException($"the {StateName} state's step has a non-finite entry.");
        step.CopyTo(_step, 0);
        Damping = damping;
        _coldStart = state.Scalar("cold_start") != 0;
        _evaluated = false;
    }

    /// <summary>One outer iteration from <paramref name="theta"/>, which moves to θ + δ when the cost falls.</summary>
    public GaussNewtonCgOutcome Iterate(Span<double> theta)
    {
        if (theta.Length != _problem.ParameterCount)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {_problem.ParameterCount} parameters.", nameof(theta));
        if (!_evaluated)
            Evaluate(theta);
        double cost = Cost;
        if (!double.IsFinite(cost))
            return new GaussNewtonCgOutcome(cost, double.NaN, false, 0, 0, double.NaN, double.NaN, false);

        _problem.LinearizedVjp(theta, _outputGradient, _gradient, _scratch, GradientWrite.Overwrite);
        // MaxMagnitude returns the signed entry of largest magnitude, hence the Abs.
        double gradientNorm = Math.Abs(TensorPrimitives.MaxMagnitude<double>(_gradient));
        if (!double.IsFinite(gradientNorm) || gradientNorm < _options.GradientTolerance)
            return new GaussNewtonCgOutcome(cost, gradientNorm, false, 0, 0, double.NaN, double.NaN, false);

        int cgIterations = SolveDamped(theta);

        // Predicted reduction of the undamped model: gᵀδ + ½δᵀGδ.
        GaussNewtonProduct(theta, _step, _product);
        double predicted = TensorPrimitives.Dot<double>(_gradient, _step) + 0.5 * TensorPrimitives.Dot<double>(_step, _product);
        TensorPrimitives.Add<double>(theta, _step, _trial);
        double trialCost = _problem.CostAt(_trial, _trialOutputs);
        Evaluations++;
        double ratio = GaussNewtonDamping.Ratio(cost, trialCost, predicted);
        Damping = GaussNewtonDamping.Update(Damping, ratio);
        bool accepted = double.IsFinite(trialCost) && trialCost < cost;
        double stepNorm = TensorPrimitives.Norm<double>(_step);
        if (accepted)
        {
            _trial.CopyTo(theta);
            Cost = trialCost;
            // The linearization is still θ's; the next iteration linearizes at the new θ.
            _evaluated = false;
        }
        else
        {
            // No warm start from a rejected step; it stays readable in Step until the next CG clears it.
            _coldStart = true;
        }
        return new GaussNewtonCgOutcome(cost, gradientNorm, true, cgIterations, stepNorm, trialCost, ratio, accepted);
    }

    // CG on A δ = −g, A = G + λI, from δ₀ = decay · previous δ; returns the iterations run.
    private int SolveDamped(ReadOnlySpan<double> theta)
    {
        if (_options.WarmStartDecay == 0)
            _coldStart = true;
        // The operator reads θ from a field: CG's vectors are arrays, and θ arrives as a span.
        theta.CopyTo(_theta);
        int iterations = _cg.Solve(_gaussNewton, Damping, _gradient, _step, !_coldStart, _options.WarmStartDecay);
        if (iterations > 0)
            _coldStart = false;
        return iterations;
    }

    private void GaussNewtonProduct(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> result)
    {
        _problem.GaussNewtonProduct(theta, v, result, _scratch);
        Products++;
    }

    // G·v at the θ SolveDamped copied, for the generic CG.
    private sealed class GaussNewtonOperator(GaussNewtonCgStepper<TModel> owner) : ILinearOperator<double[]>
    {
        public void Apply(double[] v, double[] result) => owner.GaussNewtonProduct(owner._theta, v, result);
    }
}
