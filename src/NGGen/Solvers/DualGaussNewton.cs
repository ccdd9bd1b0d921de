using System.Numerics.Tensors;

namespace NGGen.Solvers;

/// <summary>Options for the dual Gauss-Newton direction.</summary>
public sealed record DualGaussNewtonOptions
{
    /// <summary>Step scale γ in v* = argmin ½‖r + Jv‖² + ‖v‖²/(2γ) (the LM damping is 1/γ). Default 1.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>Maximum CG iterations on the dual system. Default 500.</summary>
    public int MaxCgIterations { get; init; } = 500;

    /// <summary>CG stops when ‖residual‖ ≤ this × ‖r‖. Default 1e-12.</summary>
    public double RelativeTolerance { get; init; } = 1e-12;

    /// <summary>Called with each CG iterate's primal direction v_k = −γJᵀα_k; return false to stop early.</summary>
    public DualIterateCallback? OnIterate { get; init; }
}

/// <summary>Receives the CG iteration number and the primal direction of that iterate.</summary>
public delegate bool DualIterateCallback(int iteration, ReadOnlySpan<double> direction);

/// <summary>
/// Dual (residual-space) Gauss-Newton (Roulet and Blondel 2023) for the squared loss ½‖r‖²: the primal
/// direction v* = argmin_v ½‖r + Jv‖² + ‖v‖²/(2γ), i.e. (JᵀJ + I/γ)v = −Jᵀr, equals −γJᵀα* where
/// (I + γJJᵀ)α = r, an m×m system (cheap when residuals ≪ parameters) solved by CG with one VJP and one
/// JVP per iteration. Starting from α = 0, every CG iterate gives a descent direction. The workspace is
/// allocated once; computing a direction allocates nothing.
/// </summary>
public sealed class DualGaussNewton<TModel> where TModel : IModel<TModel>
{
    private readonly TrainingProblem<TModel> _problem;
    private readonly double[] _residuals, _alpha, _cgResidual, _direction, _product, _scratch, _jtu;

    public DualGaussNewton(TrainingProblem<TModel> problem)
    {
        problem.RequireSquaredLoss("DualGaussNewton (squared loss)");
        _problem = problem;
        int m = problem.ResidualCount, p = problem.ParameterCount;
        _residuals = new double[m];
        _alpha = new double[m];
        _cgResidual = new double[m];
        _direction = new double[m];
        _product = new double[m];
        _scratch = new double[m];
        _jtu = new double[p];
    }

    /// <summary>CG iterations used by the last <see cref="Direction"/> call.</summary>
    public int LastIterations { get; private set; }

    /// <summary>Writes the dual Gauss-Newton direction at θ into <paramref name="direction"/>.</summary>
    public void Direction(ReadOnlySpan<double> theta, Span<double> direction, DualGaussNewtonOptions options)
    {
        _problem.Residuals(theta, _residuals);
        double gamma = options.Gamma;
        // CG on (I + γJJᵀ)α = r from α = 0.
        Array.Clear(_alpha);
        _residuals.CopyTo(_cgResidual, 0);
        _residuals.CopyTo(_direction, 0);
        double rr = TensorPrimitives.Dot<double>(_cgResidual, _cgResidual);
        double stop = options.RelativeTolerance * options.RelativeTolerance * rr;
        LastIterations = 0;
        for (int k = 1; k <= options.MaxCgIterations && rr > stop; k++)
        {
            Apply(theta, _direction, gamma, _product);
            double alpha = rr / TensorPrimitives.Dot<double>(_direction, _product);
            TensorPrimitives.MultiplyAdd<double>(_direction, alpha, _alpha, _alpha);
            TensorPrimitives.MultiplyAdd<double>(_product, -alpha, _cgResidual, _cgResidual);
            double next = TensorPrimitives.Dot<double>(_cgResidual, _cgResidual);
            TensorPrimitives.Multiply<double>(_direction, next / rr, _direction);
            TensorPrimitives.Add<double>(_direction, _cgResidual, _direction);
            rr = next;
            LastIterations = k;
            if (options.OnIterate is { } callback)
            {
                Primal(theta, gamma, direction);
                if (!callback(k, direction))
                    return;
            }
        }
        Primal(theta, gamma, direction);
    }

    // v = −γ Jᵀα.
    private void Primal(ReadOnlySpan<double> theta, double gamma, Span<double> direction)
    {
        direction.Clear();
        _problem.Vjp(theta, _alpha, direction, _scratch);
        TensorPrimitives.Multiply<double>(direction, -gamma, direction);
    }

    // y = u + γ J(Jᵀu).
    private void Apply(ReadOnlySpan<double> theta, ReadOnlySpan<double> u, double gamma, Span<double> y)
    {
        Array.Clear(_jtu);
        _problem.Vjp(theta, u, _jtu, _scratch);
        _problem.Jvp(theta, _jtu, y);
        TensorPrimitives.Multiply<double>(y, gamma, y);
        TensorPrimitives.Add<double>(y, u, y);
    }
}
