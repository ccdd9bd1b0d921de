using NGGen.Solvers;

namespace NGGen.Cuda;

/// <summary>
/// Dual Gauss-Newton directions (Roulet and Blondel 2023) on the GPU for a least-squares block ½w‖F(θ; x) − y‖²,
/// with θ, the data and every output-space and parameter-space vector resident on the device.
/// </summary>
/// <remarks>
/// The iteration is the host <see cref="DualGaussNewton{TModel}"/>'s for a least-squares problem (H = I, where its
/// preconditioner is the identity): with J = √w ∂F/∂θ and g = √w(F − y), CG on (I + γJJᵀ)α = g from α = 0, the
/// primal direction v = −γJᵀα updated alongside, and the same descent safeguard (stop at the first iterate with
/// ∇Lᵀv ≥ 0 and return the last that descends, or −γ∇L). Each CG iteration costs one VJP, one JVP and a few cuBLAS
/// vector operations; only scalars come back to the host.
/// </remarks>
public sealed class CudaDualGaussNewton<TModel> : IDisposable
    where TModel : IModel<TModel>
{
    private readonly CudaLeastSquaresBlock<TModel> _block;
    private readonly CudaVectors _vectors;
    private readonly double _rootWeight;
    // Output space: g, the CG residual ρ, the search direction d, u = d + γKd.
    private readonly DeviceBuffer<double> _outputGradient, _residual, _search, _product;
    // Parameter space: Jᵀd and ∇L = Jᵀg.
    private readonly DeviceBuffer<double> _pulledBack, _gradient;

    /// <summary>Uploads the block's data and allocates every device buffer.</summary>
    /// <exception cref="NotSupportedException"><see cref="DualGaussNewtonOptions.OnIterate"/> is set: it reads the
    /// direction on the host every iteration, which this solver keeps on the device.</exception>
    public CudaDualGaussNewton(CudaContext context, CudaModuleCache modules, Cublas cublas, int function, double[] inputs, int batch,
        double[] targets, double weight = 1.0, DualGaussNewtonOptions? options = null)
    {
        Options = options ?? new DualGaussNewtonOptions();
        if (Options.OnIterate is not null)
            throw new NotSupportedException("CudaDualGaussNewton keeps the direction on the device: DualGaussNewtonOptions.OnIterate is not supported; read Direction's result instead.");
        if (!(Options.Gamma > 0) || !double.IsFinite(Options.Gamma))
            throw new ArgumentOutOfRangeException(nameof(options), Options.Gamma, "DualGaussNewtonOptions.Gamma must be positive and finite.");
        _vectors = new CudaVectors(cublas);
        _block = new CudaLeastSquaresBlock<TModel>(context, modules, cublas, _vectors, function, inputs, batch, targets, weight);
        _rootWeight = Math.Sqrt(weight);
        int m = _block.OutputCount, p = TModel.ParameterCount;
        _outputGradient = new DeviceBuffer<double>(m);
        _residual = new DeviceBuffer<double>(m);
        _search = new DeviceBuffer<double>(m);
        _product = new DeviceBuffer<double>(m);
        _pulledBack = new DeviceBuffer<double>(p);
        _gradient = new DeviceBuffer<double>(p);
    }

    /// <summary>γ, the CG limits and the safeguard (<see cref="DualGaussNewtonOptions.Preconditioner"/> has no effect:
    /// H = I).</summary>
    public DualGaussNewtonOptions Options { get; }

    /// <summary>CG iterations accepted by the last <see cref="Direction"/> call.</summary>
    public int LastIterations { get; private set; }

    /// <summary>True when the descent safeguard stopped the last call (see <see cref="DualGaussNewton{TModel}.LastStoppedForDescent"/>).</summary>
    public bool LastStoppedForDescent { get; private set; }

    /// <summary>∇Lᵀv of the iterate the safeguard rejected in the last call; NaN when none was.</summary>
    public double LastRejectedSlope { get; private set; } = double.NaN;

    /// <summary>Writes the dual Gauss-Newton direction at θ into <paramref name="direction"/>; returns the cost L(θ).</summary>
    public double Direction(DeviceBuffer<double> theta, DeviceBuffer<double> direction)
    {
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(direction);
        if (theta.Length != TModel.ParameterCount || direction.Length != TModel.ParameterCount)
            throw new ArgumentException($"{TModel.Name}: θ and the direction need {TModel.ParameterCount} entries (got {theta.Length} and {direction.Length}).");

        double cost = _block.Linearize(theta, _outputGradient);
        _vectors.Scale(_rootWeight, _outputGradient);
        double gamma = Options.Gamma;
        bool safeguard = Options.DescentSafeguard;
        if (safeguard)
            PullBack(theta, _outputGradient, _gradient);

        direction.Clear();
        _vectors.Copy(_outputGradient, _residual);
        _vectors.Copy(_residual, _search);
        double rr = _vectors.Dot(_residual, _residual);
        double stop = Options.RelativeTolerance * Options.RelativeTolerance * rr;
        LastIterations = 0;
        LastStoppedForDescent = false;
        LastRejectedSlope = double.NaN;
        for (int k = 1; k <= Options.MaxCgIterations && rr > stop; k++)
        {
            // u = d + γJJᵀd; dᵀu is the curvature of the dual along d.
            PullBack(theta, _search, _pulledBack);
            _block.Model.LinearizedJvp(theta, _block.Inputs, _pulledBack, _product);
            _vectors.Scale(gamma * _rootWeight, _product);
            _vectors.Axpy(1, _search, _product);
            double curvature = _vectors.Dot(_search, _product);
            if (!(curvature > 0) || !(rr > 0))
                break;
            double step = rr / curvature;
            _vectors.Axpy(-gamma * step, _pulledBack, direction);
            if (safeguard)
            {
                double slope = _vectors.Dot(_gradient, direction);
                if (!(slope < 0))
                {
                    LastStoppedForDescent = true;
                    LastRejectedSlope = slope;
                    if (LastIterations == 0)
                    {
                        _vectors.Copy(_gradient, direction);
                        _vectors.Scale(-gamma, direction);
                    }
                    else
                    {
                        _vectors.Axpy(gamma * step, _pulledBack, direction);
                    }
                    return cost;
                }
            }

            _vectors.Axpy(-step, _product, _residual);
            double next = _vectors.Dot(_residual, _residual);
            // d ← ρ + (next/rr)·d.
            _vectors.Scale(next / rr, _search);
            _vectors.Axpy(1, _residual, _search);
            rr = next;
            LastIterations = k;
        }

        return cost;
    }

    // result = Jᵀ·cotangent = √w (∂F/∂θ)ᵀ cotangent at the current linearization.
    private void PullBack(DeviceBuffer<double> theta, DeviceBuffer<double> cotangent, DeviceBuffer<double> result)
    {
        result.Clear();
        _block.Model.LinearizedVjp(theta, _block.Inputs, cotangent, result);
        _vectors.Scale(_rootWeight, result);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _block.Dispose();
        foreach (var buffer in new[] { _outputGradient, _residual, _search, _product, _pulledBack, _gradient })
            buffer.Dispose();
    }
}
