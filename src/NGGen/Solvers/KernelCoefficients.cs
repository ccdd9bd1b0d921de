using NGGen.Kernels;
using NGGen.LinearAlgebra;

namespace NGGen.Solvers;

/// <summary>
/// The output-space half of the kernel natural gradient: c = (JJᵀ + εI)⁻¹ M⁻¹ r, from which δ = −Jᵀc. Shared by
/// <see cref="KernelNaturalGradient{TModel}"/> and its GPU form, which differ only in where J, JJᵀ and Jᵀc are computed.
/// Buffers (and the kernel's Cholesky factor) are prepared once.
/// </summary>
public sealed class KernelCoefficients
{
    private readonly int _m;
    private readonly double[] _kernel, _smoothed;
    private readonly Cholesky _cholesky, _kernelCholesky;

    /// <summary>Prepares for m residuals and the metric; <paramref name="kernel"/> (m×m) is required unless the metric is Identity.</summary>
    /// <exception cref="ArgumentException">The kernel is missing, the wrong size, or not positive definite.</exception>
    public KernelCoefficients(int m, OutputMetric metric, double[]? kernel)
    {
        if (metric != OutputMetric.Identity && (kernel is null || kernel.Length != m * m))
            throw new ArgumentException($"The {metric} metric needs an {m}×{m} kernel on the residuals' samples.", nameof(kernel));
        _m = m;
        Metric = metric;
        _kernel = kernel ?? [];
        _smoothed = new double[m];
        _cholesky = new Cholesky(m);
        _kernelCholesky = new Cholesky(m);
        if (metric == OutputMetric.Kernel && !_kernelCholesky.TryFactor(_kernel, m))
            throw new ArgumentException("The kernel matrix is not positive definite (repeated samples?).", nameof(kernel));
    }

    /// <summary>The metric in use.</summary>
    public OutputMetric Metric { get; }

    /// <summary>Writes c = (JJᵀ + εI)⁻¹ M⁻¹ r, with ε the damping raised by tens (from 1e-14 × the largest diagonal
    /// entry) until the Cholesky factorization succeeds.</summary>
    /// <param name="gram">JJᵀ, m×m row-major (read only, in its lower triangle).</param>
    /// <param name="residuals">r = ∇_F L.</param>
    /// <param name="coefficients">c.</param>
    /// <param name="damping">The initial ε ≥ 0.</param>
    public void Solve(ReadOnlySpan<double> gram, ReadOnlySpan<double> residuals, Span<double> coefficients, double damping)
    {
        int m = _m;
        // s = M⁻¹ ∇_F L.
        switch (Metric)
        {
            case OutputMetric.Identity:
                residuals.CopyTo(_smoothed);
                break;
            case OutputMetric.InverseKernel:
                Gemm.Multiply<double>(false, false, m, 1, m, _kernel, m, residuals, 1, _smoothed, 1, false);
                break;
            default:
                _kernelCholesky.Solve(residuals, _smoothed);
                break;
        }

        double largest = 0;
        for (int i = 0; i < m; i++)
            largest = Math.Max(largest, gram[i * m + i]);
        double shift = damping;
        while (!_cholesky.TryFactor(gram, m, shift))
            shift = Math.Max(shift * 10, 1e-14 * largest);
        _cholesky.Solve(_smoothed, coefficients);
    }
}
