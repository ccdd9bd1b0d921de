using NGGen.Solvers;

namespace NGGen.Cuda;

/// <summary>
/// The kernel (output-space) natural gradient on the GPU, δ = −Jᵀ(JJᵀ + εI)⁻¹M⁻¹r for one least-squares block: the
/// host <see cref="KernelNaturalGradient{TModel}"/>'s direction, for few residuals and many parameters.
/// </summary>
/// <remarks>
/// θ, the data and the Jacobian (p linearized JVPs, stored as Jᵀ) stay on the device, where JJᵀ and δ = −Jᵀc are
/// cuBLAS products. The m×m Gram matrix and r come back for the output-space solve the host uses
/// (<see cref="KernelCoefficients"/>: the metric, then a damped Cholesky); c goes back up.
/// </remarks>
public sealed class CudaKernelNaturalGradient<TModel> : IDisposable
    where TModel : IModel<TModel>
{
    private readonly CudaLeastSquaresProblem<TModel> _problem;
    private readonly Cublas _cublas;
    private readonly KernelCoefficients _solver;
    private readonly DeviceBuffer<double> _residuals, _jacobianTransposed, _gram, _coefficients;
    private readonly double[] _hostResiduals, _hostGram, _hostCoefficients;

    /// <summary>Uploads the block's data and allocates every buffer.</summary>
    /// <param name="context">The device's context.</param>
    /// <param name="modules">Where the model's kernels are compiled and loaded.</param>
    /// <param name="cublas">The cuBLAS handle for the products.</param>
    /// <param name="block">One squared-loss block (of scalar outputs when a kernel metric is used).</param>
    /// <param name="metric">The output-space metric M.</param>
    /// <param name="kernel">The kernel on the block's samples (m×m), unless the metric is Identity.</param>
    public CudaKernelNaturalGradient(CudaContext context, CudaModuleCache modules, Cublas cublas, ResidualBlock block, OutputMetric metric,
        double[]? kernel = null)
    {
        _cublas = cublas;
        _problem = new CudaLeastSquaresProblem<TModel>(context, modules, cublas, new CudaVectors(cublas), [block]);
        int m = _problem.ResidualCount, p = TModel.ParameterCount;
        _solver = new KernelCoefficients(m, metric, kernel);
        _residuals = new DeviceBuffer<double>(m);
        _jacobianTransposed = new DeviceBuffer<double>(checked(m * p));
        _gram = new DeviceBuffer<double>(m * m);
        _coefficients = new DeviceBuffer<double>(m);
        _hostResiduals = new double[m];
        _hostGram = new double[m * m];
        _hostCoefficients = new double[m];
    }

    /// <summary>The metric in use.</summary>
    public OutputMetric Metric => _solver.Metric;

    /// <summary>Writes δ at θ (to be applied as θ + ηδ) into <paramref name="direction"/>; returns the cost ½‖r‖².</summary>
    public double Direction(DeviceBuffer<double> theta, DeviceBuffer<double> direction, double damping = 0)
    {
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(direction);
        int m = _problem.ResidualCount, p = TModel.ParameterCount;
        if (theta.Length != p || direction.Length != p)
            throw new ArgumentException($"{TModel.Name}: θ and the direction need {p} entries (got {theta.Length} and {direction.Length}).");

        double cost = _problem.Linearize(theta, _residuals);
        _problem.JacobianTransposed(theta, _jacobianTransposed);
        // JJᵀ = Jtᵀ·Jt (m×m; Cublas.Gemm takes row-major operands, Jt is p×m).
        _cublas.Gemm(true, false, m, m, p, 1.0, _jacobianTransposed.Pointer, m, _jacobianTransposed.Pointer, m, 0.0, _gram.Pointer, m);
        _gram.CopyTo(_hostGram);
        _residuals.CopyTo(_hostResiduals);
        _solver.Solve(_hostGram, _hostResiduals, _hostCoefficients, damping);
        _coefficients.CopyFrom(_hostCoefficients);
        // δ = −Jᵀc = −Jt·c.
        _cublas.Gemm(false, false, p, 1, m, -1.0, _jacobianTransposed.Pointer, m, _coefficients.Pointer, 1, 0.0, direction.Pointer, 1);
        return cost;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _problem.Dispose();
        foreach (var buffer in new[] { _residuals, _jacobianTransposed, _gram, _coefficients })
            buffer.Dispose();
    }
}
