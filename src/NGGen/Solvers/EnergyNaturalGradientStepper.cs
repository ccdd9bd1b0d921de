using System.Numerics.Tensors;
using NGGen.Kernels;
using NGGen.LinearAlgebra;

namespace NGGen.Solvers;

/// <summary>What one iteration of <see cref="EnergyNaturalGradientStepper{TModel}"/> did.</summary>
/// <param name="CostBefore">The loss at θ before the iteration.</param>
/// <param name="GradientMaxNorm">‖∇L‖∞ at θ before the iteration.</param>
/// <param name="Stepped">False when the iteration stopped at the gradient (non-finite, or below
/// <see cref="EnergyNaturalGradientOptions.GradientTolerance"/>) without a line search.</param>
/// <param name="StepSize">The η of the grid 0.5^k with the smallest loss.</param>
/// <param name="StepNorm">‖η d‖.</param>
/// <param name="Regularization">The eigenvalue cutoff finally used (pseudo-inverse), or the Cholesky shift.</param>
/// <param name="Accepted">True when the best grid step reduced the loss and θ was moved there.</param>
/// <param name="Cost">The loss after the iteration (at the new θ when accepted).</param>
/// <param name="PredictedRelativeDecrease">∇L·d / (2L) at θ before the iteration, for the direction at the configured
/// cutoff: the share of the loss a full Gauss-Newton step would remove if the residuals were linear, ‖P r‖² / ‖r‖²
/// with P the projection onto the range of J (Bates and Watts' relative offset, squared). NaN when the iteration did
/// not step.</param>
public readonly record struct EnergyNaturalGradientOutcome(
    double CostBefore, double GradientMaxNorm, bool Stepped, double StepSize, double StepNorm, double Regularization, bool Accepted, double Cost,
    double PredictedRelativeDecrease = double.NaN)
{
    /// <summary>∇L·d / (2L) for a loss L = ½‖r‖², its gradient ∇L and a natural-gradient direction d; 0 where L is 0.</summary>
    public static double RelativeDecreaseOf(ReadOnlySpan<double> gradient, ReadOnlySpan<double> direction, double cost)
        => cost > 0 ? TensorPrimitives.Dot(gradient, direction) / (2 * cost) : 0;
}

/// <summary>
/// Energy natural gradient one iteration at a time, with every buffer allocated by the constructor:
/// <see cref="EnergyNaturalGradient.Solve"/> drives it, and callers that own the loop (or time one iteration)
/// use it directly. An iteration assembles the residual Jacobian J at θ, forms G = JᵀJ and ∇L = Jᵀr, computes
/// d = G⁺∇L (or the configured solve), and moves θ to the best point θ − η d of the grid η = 0.5^k.
/// Iterations allocate nothing.
/// </summary>
public sealed class EnergyNaturalGradientStepper<TModel> where TModel : IModel<TModel>
{
    // Beyond this relative eigenvalue cutoff the step is essentially a gradient step; stop raising it.
    private const double MaxCutoff = 1e-2;

    private readonly TrainingProblem<TModel> _problem;
    private readonly EnergyNaturalGradientOptions _options;
    private double[] _residuals;
    private double[] _trialResiduals;
    private double[] _bestResiduals;
    private readonly double[] _jacobian;
    private readonly double[] _gramian;
    private readonly double[] _gradient;
    private readonly double[] _direction;
    private readonly double[] _trial;
    private readonly double[] _best;
    private readonly Cholesky? _cholesky;
    private readonly HouseholderQr? _qr;
    private readonly SymmetricEigen? _eigen;
    // True when _residuals and Cost belong to the current θ.
    private bool _evaluated;

    public EnergyNaturalGradientStepper(TrainingProblem<TModel> problem, EnergyNaturalGradientOptions? options = null)
    {
        problem.RequireSquaredLoss("EnergyNaturalGradient");
        _problem = problem;
        _options = options ?? new EnergyNaturalGradientOptions();
        int p = problem.ParameterCount, m = problem.ResidualCount;
        _residuals = new double[m];
        _trialResiduals = new double[m];
        _bestResiduals = new double[m];
        _jacobian = new double[m * p];
        _gramian = new double[p * p];
        _gradient = new double[p];
        _direction = new double[p];
        _trial = new double[p];
        _best = new double[p];
        switch (_options.Solver)
        {
            case GramianSolver.PseudoInverse: _eigen = new SymmetricEigen(p, _options.EigenMethod); break;
            case GramianSolver.LeastSquaresQr: _qr = new HouseholderQr(Math.Max(m, p), p); break;
            default: _cholesky = new Cholesky(p); break;
        }
    }

    /// <summary>The loss at θ as of the last evaluation (NaN before the first).</summary>
    public double Cost { get; private set; } = double.NaN;

    /// <summary>The last iteration's natural-gradient direction d (the step is −η d).</summary>
    public ReadOnlySpan<double> Direction => _direction;

    /// <summary>∇L at θ as of the last iteration.</summary>
    public ReadOnlySpan<double> Gradient => _gradient;

    /// <summary>Residual evaluations so far (the grid line search makes most of them).</summary>
    public int Evaluations { get; private set; }

    /// <summary>Jacobian assemblies so far.</summary>
    public int Jacobians { get; private set; }

    /// <summary>Starts afresh at a new θ: the next iteration evaluates the loss there first.</summary>
    public void Reset() => _evaluated = false;

    /// <summary>Evaluates the loss and residuals at θ now (the next iteration reuses them; θ must not change in between).</summary>
    public double Evaluate(ReadOnlySpan<double> theta)
    {
        Cost = _problem.Cost(theta, _residuals);
        Evaluations++;
        _evaluated = true;
        return Cost;
    }

    /// <summary>One ENGD iteration from <paramref name="theta"/>, which moves to the best grid point when it lowers the loss.</summary>
    public EnergyNaturalGradientOutcome Iterate(Span<double> theta)
    {
        int p = _problem.ParameterCount, m = _problem.ResidualCount;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        if (!_evaluated)
            Evaluate(theta);
        double cost = Cost;

        _problem.Jacobian(theta, _jacobian);
        Jacobians++;
        // G = JᵀJ and ∇L = Jᵀr as GEMMs over the residual dimension.
        Gemm.Multiply<double>(true, false, p, p, m, _jacobian, p, _jacobian, p, _gramian, p, false);
        Gemm.Multiply<double>(true, false, p, 1, m, _jacobian, p, _residuals, 1, _gradient, 1, false);
        double gradientNorm = 0, largestDiagonal = 0;
        for (int j = 0; j < p; j++)
        {
            gradientNorm = Math.Max(gradientNorm, Math.Abs(_gradient[j]));
            largestDiagonal = Math.Max(largestDiagonal, _gramian[j * p + j]);
        }
        if (!double.IsFinite(gradientNorm) || gradientNorm < _options.GradientTolerance)
            return new EnergyNaturalGradientOutcome(cost, gradientNorm, false, 0, 0, 0, false, cost);

        double shift = 0;
        double cutoff = _options.PseudoInverseCutoff;
        _eigen?.Decompose(_gramian, p);
        _qr?.Factor(_jacobian, m, p);
        double bestCost = double.PositiveInfinity, bestEta = 0, predicted = double.NaN;
        while (true)
        {
            if (_eigen is not null)
            {
                _eigen.SolvePseudoInverse(_gradient, _direction, cutoff);
            }
            else if (_qr is not null)
            {
                // d = argmin ‖J d − r‖: the same function-space step as G⁺∇L, without squaring κ(J).
                _qr.Solve(_residuals, _direction);
            }
            else
            {
                shift = Math.Max(_options.RelativeDamping * largestDiagonal, double.Epsilon);
                while (!_cholesky!.TryFactor(_gramian, p, shift))
                    shift *= 10;
                _cholesky.Solve(_gradient, _direction);
            }
            if (double.IsNaN(predicted))
                predicted = EnergyNaturalGradientOutcome.RelativeDecreaseOf(_gradient, _direction, cost);

            // Grid line search over η = 0.5^k: keep the smallest loss and its residuals (the next gradient's).
            double eta = 1;
            for (int k = 0; k <= _options.LineSearchExponents; k++, eta *= 0.5)
            {
                for (int j = 0; j < p; j++)
                    _trial[j] = theta[j] - eta * _direction[j];
                double trialCost = _problem.Cost(_trial, _trialResiduals);
                Evaluations++;
                if (trialCost < bestCost)
                {
                    bestCost = trialCost;
                    bestEta = eta;
                    _trial.CopyTo(_best, 0);
                    (_bestResiduals, _trialResiduals) = (_trialResiduals, _bestResiduals);
                }
            }
            // G⁺∇L is a descent direction, but its components along barely-determined
            // eigen-directions can be so long that even η = 2⁻³⁰ overshoots. Then drop more of
            // them (a larger cutoff gives a shorter, better-determined step) and search again.
            if (bestCost < cost || _eigen is null || cutoff >= MaxCutoff)
                break;
            cutoff *= 100;
        }
        bool accepted = bestCost < cost;
        double stepNorm = bestEta * TensorPrimitives.Norm<double>(_direction);
        double regularization = _eigen is not null ? cutoff : shift;
        if (!accepted)
            return new EnergyNaturalGradientOutcome(cost, gradientNorm, true, bestEta, stepNorm, regularization, false, cost, predicted);
        _best.CopyTo(theta);
        (_residuals, _bestResiduals) = (_bestResiduals, _residuals);
        Cost = bestCost;
        return new EnergyNaturalGradientOutcome(cost, gradientNorm, true, bestEta, stepNorm, regularization, true, bestCost, predicted);
    }
}
