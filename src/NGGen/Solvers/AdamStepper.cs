using System.Numerics.Tensors;
using NGGen.IO;

namespace NGGen.Solvers;

/// <summary>What one <see cref="AdamStepper{TModel}"/> iteration did.</summary>
/// <param name="CostBefore">L(θ) before the update.</param>
/// <param name="DirectionMaxNorm">‖d‖∞ of the direction used (‖∇L‖∞ with the gradient oracle).</param>
/// <param name="StepNorm">‖Δθ‖₂.</param>
/// <param name="CostAfter">L(θ) after the update (NaN or ∞ when it diverged; θ is then restored).</param>
public readonly record struct AdamOutcome(double CostBefore, double DirectionMaxNorm, double StepNorm, double CostAfter);

/// <summary>
/// Adam one iteration at a time over a direction oracle (the gradient for plain Adam), for callers that own the
/// loop: the arithmetic of <see cref="DirectionMethods.Adam{TModel}"/>, with the moments and βᵗ powers readable as a
/// <see cref="SolverState"/> so a run can stop and resume bit for bit. Each iteration prices the new θ and keeps its
/// direction for the next. Iterations allocate nothing.
/// </summary>
public sealed class AdamStepper<TModel> where TModel : IModel<TModel>
{
    /// <summary>The name <see cref="CaptureState"/> records.</summary>
    public const string StateName = "adam";

    private readonly IDirectionOracle<TModel> _oracle;
    private readonly AdamOptions _options;
    private readonly double[] _first, _second, _direction, _previous;
    private double _beta1Power = 1, _beta2Power = 1;
    // True when _direction and Cost belong to the current θ.
    private bool _evaluated;

    /// <summary>Adam on <paramref name="oracle"/>'s directions with <paramref name="options"/> (its iteration limits
    /// and callback are the caller's business here).</summary>
    public AdamStepper(IDirectionOracle<TModel> oracle, AdamOptions? options = null)
    {
        _oracle = oracle;
        _options = options ?? new AdamOptions();
        int p = oracle.Problem.ParameterCount;
        _first = new double[p];
        _second = new double[p];
        _direction = new double[p];
        _previous = new double[p];
    }

    /// <summary>L(θ) as of the last evaluation (NaN before the first).</summary>
    public double Cost { get; private set; } = double.NaN;

    /// <summary>Updates taken so far (t in Adam's bias correction).</summary>
    public long Steps { get; private set; }

    /// <summary>One Adam update of <paramref name="theta"/>.</summary>
    public AdamOutcome Iterate(Span<double> theta)
    {
        if (theta.Length != _first.Length)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {_first.Length} parameters.", nameof(theta));
        if (!_evaluated)
            Cost = _oracle.Direction(theta, _direction);
        double before = Cost;
        double directionNorm = Math.Abs(TensorPrimitives.MaxMagnitude<double>(_direction));
        theta.CopyTo(_previous);
        double stepNorm = DirectionMethods.AdamUpdate(_options, _first, _second, ref _beta1Power, ref _beta2Power, _direction, theta);
        Steps++;
        Cost = _oracle.Direction(theta, _direction);
        _evaluated = double.IsFinite(Cost);
        if (!_evaluated)
            _previous.CopyTo(theta);
        return new AdamOutcome(before, directionNorm, stepNorm, Cost);
    }

    /// <summary>The moments, βᵗ powers and step count: with them a stepper at the same θ continues bit for bit.</summary>
    public SolverState CaptureState()
    {
        var state = new SolverState(StateName);
        state.Scalars["beta1_power"] = _beta1Power;
        state.Scalars["beta2_power"] = _beta2Power;
        state.Scalars["steps"] = Steps;
        state.Vectors["first_moment"] = (double[])_first.Clone();
        state.Vectors["second_moment"] = (double[])_second.Clone();
        return state;
    }

    /// <summary>Continues from <paramref name="state"/> (written by <see cref="CaptureState"/>).</summary>
    public void RestoreState(SolverState state)
    {
        if (state.Solver != StateName)
            throw new InvalidDataException($"the checkpoint's solver state is {state.Solver}'s, not {StateName}'s.");
        double beta1Power = state.Scalar("beta1_power"), beta2Power = state.Scalar("beta2_power"), steps = state.Scalar("steps");
        if (!(beta1Power is > 0 and <= 1) || !(beta2Power is > 0 and <= 1) || !(steps >= 0) || steps != Math.Floor(steps))
            throw new InvalidDataException($"the {StateName} state is inconsistent (β₁ᵗ = {beta1Power}, β₂ᵗ = {beta2Power}, t = {steps}).");
        var second = state.Vector("second_moment", _second.Length);
        if (second.Any(v => !(v >= 0) || !double.IsFinite(v)))
            throw new InvalidDataException($"the {StateName} state's second moment has a negative or non-finite entry.");
        var first = state.Vector("first_moment", _first.Length);
        if (!first.All(double.IsFinite))
            throw new InvalidDataException($"the {StateName} state's first moment has a non-finite entry.");
        first.CopyTo(_first, 0);
        second.CopyTo(_second, 0);
        _beta1Power = beta1Power;
        _beta2Power = beta2Power;
        Steps = (long)steps;
        _evaluated = false;
    }
}
