using System.Numerics.Tensors;
using NGGen.Solvers;

namespace NGGen.Samples.DualGaussNewton;

/// <summary>
/// The primal Gauss-Newton direction with the dual's regularisation: plain CG from v = 0 on
/// (JᵀHJ + I/γ)v = −∇L in parameter space, one fused Gauss-Newton product (linearized JVP, curvature, linearized
/// VJP) per iteration, the same products <see cref="GaussNewtonCg"/> uses. The library's GaussNewtonCg is a whole
/// solver (warm starts, adaptive damping, Martens' stopping rule, a trial step), so it cannot be timed per
/// direction at a fixed γ; this is its inner CG with those removed, so that primal and dual solve the same
/// subproblem under the same stopping rule. Allocates nothing per direction.
/// </summary>
public sealed class PrimalGaussNewton<TModel> : IDirectionOracle<TModel> where TModel : IModel<TModel>
{
    private readonly double[] _outputGradient, _scratch, _residual, _search, _product;

    /// <summary>Prepares the workspace.</summary>
    public PrimalGaussNewton(TrainingProblem<TModel> problem, double gamma, int maxCgIterations, double relativeTolerance)
    {
        if (!(gamma > 0))
            throw new ArgumentOutOfRangeException(nameof(gamma), $"γ must be positive, got {gamma}.");
        Problem = problem;
        Gamma = gamma;
        MaxCgIterations = maxCgIterations;
        RelativeTolerance = relativeTolerance;
        int m = problem.ResidualCount, p = problem.ParameterCount;
        _outputGradient = new double[m];
        _scratch = new double[m];
        _residual = new double[p];
        _search = new double[p];
        _product = new double[p];
    }

    /// <inheritdoc/>
    public TrainingProblem<TModel> Problem { get; }

    /// <summary>γ: the damping is 1/γ.</summary>
    public double Gamma { get; }

    /// <summary>CG iteration cap.</summary>
    public int MaxCgIterations { get; }

    /// <summary>CG stops when ‖(JᵀHJ + I/γ)v + ∇L‖ ≤ this × ‖∇L‖ (0: run <see cref="MaxCgIterations"/>).</summary>
    public double RelativeTolerance { get; }

    /// <summary>CG iterations of the last direction.</summary>
    public int LastIterations { get; private set; }

    /// <summary>Called with each CG iterate (iteration number, direction); return false to stop.</summary>
    public DualIterateCallback? OnIterate { get; init; }

    /// <inheritdoc/>
    public double Direction(ReadOnlySpan<double> theta, Span<double> direction)
    {
        double cost = Problem.Evaluate(theta, _outputGradient);
        // residual = b − Av with b = −∇L and v = 0.
        Array.Clear(_residual);
        Problem.LinearizedVjp(theta, _outputGradient, _residual, _scratch);
        TensorPrimitives.Negate<double>(_residual, _residual);
        _residual.CopyTo(_search, 0);
        direction.Clear();
        double rr = TensorPrimitives.Dot<double>(_residual, _residual);
        double stop = RelativeTolerance * RelativeTolerance * rr, damping = 1 / Gamma;
        LastIterations = 0;
        for (int k = 1; k <= MaxCgIterations && rr > stop; k++)
        {
            Problem.GaussNewtonProduct(theta, _search, _product, _scratch);
            TensorPrimitives.MultiplyAdd<double>(_search, damping, _product, _product);
            double curvature = TensorPrimitives.Dot<double>(_search, _product);
            if (!(curvature > 0))
                break;
            double step = rr / curvature;
            TensorPrimitives.MultiplyAdd<double>(_search, step, direction, direction);
            TensorPrimitives.MultiplyAdd<double>(_product, -step, _residual, _residual);
            double next = TensorPrimitives.Dot<double>(_residual, _residual);
            TensorPrimitives.MultiplyAdd<double>(_search, next / rr, _residual, _search);
            rr = next;
            LastIterations = k;
            if (OnIterate is { } callback && !callback(k, direction))
                break;
        }
        return cost;
    }
}
