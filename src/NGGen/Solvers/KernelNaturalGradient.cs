using NGGen.Kernels;
using NGGen.LinearAlgebra;

namespace NGGen.Solvers;

/// <summary>Which output-space metric M the kernel natural gradient pulls back.</summary>
public enum OutputMetric
{
    /// <summary>M = I: the plain (Fisher/GGN for squared loss) natural gradient.</summary>
    Identity,
    /// <summary>M = K⁻¹ (Bai, Rosenberg and Xu's Sobolev metric on the samples): the function-space step is the kernel-smoothed gradient −K∇_F L.</summary>
    InverseKernel,
    /// <summary>M = K.</summary>
    Kernel,
}

/// <summary>Matérn kernels on sample inputs: r = ‖x − x'‖/T; s = 0: e^{−r}; s = 1: (1 + r)e^{−r}; s = 2: (1 + r + r²/3)e^{−r}.</summary>
public static class MaternKernel
{
    /// <summary>Fills the n×n row-major K from feature-major inputs (dimension × n).</summary>
    public static void Build(ReadOnlySpan<double> inputs, int dimension, int n, int smoothness, double lengthScale, Span<double> kernel)
    {
        if (smoothness is < 0 or > 2)
            throw new ArgumentOutOfRangeException(nameof(smoothness), smoothness, "Matérn smoothness s must be 0, 1 or 2.");
        if (!(lengthScale > 0))
            throw new ArgumentOutOfRangeException(nameof(lengthScale), lengthScale, "The length scale T must be positive.");
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double squared = 0;
                for (int d = 0; d < dimension; d++)
                {
                    double diff = inputs[d * n + a] - inputs[d * n + b];
                    squared += diff * diff;
                }
                double r = Math.Sqrt(squared) / lengthScale;
                double polynomial = smoothness switch { 0 => 1, 1 => 1 + r, _ => 1 + r + r * r / 3 };
                kernel[a * n + b] = polynomial * Math.Exp(-r);
            }
    }
}

/// <summary>
/// The natural gradient in kernel (output-space) form, for few residuals and many parameters:
/// δ = −Jᵀ (J Jᵀ + εI)⁻¹ M⁻¹ ∇_F L with ∇_F L = r for the squared loss. With M = I it is the plain
/// natural gradient −G⁺g (G = JᵀJ, minimum-norm); when J has full row rank the outputs move by
/// J δ = −M⁻¹ ∇_F L whatever the parameterization (Kerekes, Mészáros and Huszár 2021), which with
/// the Sobolev metric M = K⁻¹ is the kernel-smoothed gradient −K∇_F L (Bai, Rosenberg and Xu 2022).
/// </summary>
public sealed class KernelNaturalGradient<TModel> where TModel : IModel<TModel>
{
    private readonly TrainingProblem<TModel> _problem;
    private readonly double[] _jacobian, _gram, _residuals, _coefficients;
    private readonly KernelCoefficients _solver;

    /// <param name="problem">A problem with a single residual block of scalar outputs (the kernel acts on its samples).</param>
    /// <param name="metric">The output-space metric.</param>
    /// <param name="kernel">The n×n kernel on the block's samples (required unless <paramref name="metric"/> is Identity).</param>
    public KernelNaturalGradient(TrainingProblem<TModel> problem, OutputMetric metric, double[]? kernel = null)
    {
        int m = problem.ResidualCount, p = problem.ParameterCount;
        _solver = new KernelCoefficients(m, metric, kernel);
        problem.RequireSquaredLoss("KernelNaturalGradient");
        _problem = problem;
        _jacobian = new double[m * p];
        _gram = new double[m * m];
        _residuals = new double[m];
        _coefficients = new double[m];
    }

    /// <summary>The metric in use.</summary>
    public OutputMetric Metric => _solver.Metric;

    /// <summary>Writes δ at θ (to be applied as θ + η δ) into <paramref name="direction"/>.</summary>
    public void Direction(ReadOnlySpan<double> theta, Span<double> direction, double damping = 0)
    {
        int m = _problem.ResidualCount, p = _problem.ParameterCount;
        _problem.Residuals(theta, _residuals);
        _problem.Jacobian(theta, _jacobian);
        Gemm.Multiply<double>(false, true, m, m, p, _jacobian, p, _jacobian, p, _gram, m, false);
        _solver.Solve(_gram, _residuals, _coefficients, damping);
        // δ = −Jᵀ c.
        Gemm.Multiply<double>(true, false, p, 1, m, _jacobian, p, _coefficients, 1, direction, 1, false);
        for (int j = 0; j < p; j++)
            direction[j] = -direction[j];
    }
}
