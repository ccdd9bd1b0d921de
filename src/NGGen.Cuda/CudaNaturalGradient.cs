using NGGen.LinearAlgebra;
using NGGen.Solvers;

namespace NGGen.Cuda;

/// <summary>
/// Natural-gradient directions δ = −(G + λI)⁺∇L on the GPU for least-squares blocks Σ_b ½w_b‖F_b(θ; x_b) − y_b‖²,
/// where the Fisher / Gauss-Newton metric is G = JᵀJ in the stacked coordinates of
/// <see cref="TrainingProblem{TModel}"/>: the host <see cref="NaturalGradient{TModel}"/>'s direction for that problem.
/// </summary>
/// <remarks>
/// θ, the data and the m×p Jacobian stay on the device (stored as Jᵀ, one row per parameter): J is built from p
/// linearized JVPs with unit tangents per block, and G = JᵀJ and ∇L = Jᵀr are cuBLAS products there. Only G (p×p)
/// and ∇L (p) come back, for the same pseudo-inverse solve the host uses (<see cref="GramianDirection"/>: Cholesky
/// when λ allows, else a truncated Jacobi eigendecomposition, which cuSOLVER would replace); δ goes back up. Like
/// the host class, this is for small p. With metric blocks, G = J_MᵀJ_M comes from their Jacobian instead (the Sobolev
/// natural gradient in derivative form, <see cref="SobolevMetric.H1{TModel}"/>) and ∇L from one VJP per loss block.
/// </remarks>
public sealed class CudaNaturalGradient<TModel> : IDisposable
    where TModel : IModel<TModel>
{
    private readonly CudaLeastSquaresProblem<TModel> _problem;
    // The metric's blocks (null: G = JᵀJ of the loss itself) and their residuals.
    private readonly CudaLeastSquaresProblem<TModel>? _metric;
    private readonly DeviceBuffer<double>? _metricResiduals;
    private readonly Cublas _cublas;
    private readonly DeviceBuffer<double> _residuals, _jacobianTransposed, _gramian, _gradient;
    private readonly double[] _hostGramian, _hostGradient, _hostDirection;
    private readonly GramianDirection _solver;

    /// <summary>One least-squares block ½w‖F(θ; x) − y‖².</summary>
    public CudaNaturalGradient(CudaContext context, CudaModuleCache modules, Cublas cublas, int function, double[] inputs, int batch,
        double[] targets, double weight = 1.0, NaturalGradientOptions? options = null)
        : this(context, modules, cublas, [new ResidualBlock(function, inputs, batch, targets, weight)], options)
    {
    }

    /// <summary>Uploads the blocks' data and allocates every buffer (the Jacobian is m × p doubles, m the residuals of
    /// the metric blocks when given, else of the loss blocks).</summary>
    /// <param name="context">The device's context.</param>
    /// <param name="modules">Where the model's kernels are compiled and loaded.</param>
    /// <param name="cublas">The cuBLAS handle for the products.</param>
    /// <param name="blocks">The loss: least-squares blocks.</param>
    /// <param name="options">Damping and pseudo-inverse cutoff; null for the defaults.</param>
    /// <param name="metricBlocks">Null for the Fisher / Gauss-Newton metric of the loss; otherwise least-squares blocks
    /// whose Gauss-Newton matrix J_MᵀJ_M is the metric, e.g. <c>SobolevMetric.H1(...).Blocks</c>.</param>
    public CudaNaturalGradient(CudaContext context, CudaModuleCache modules, Cublas cublas, IReadOnlyList<ResidualBlock> blocks,
        NaturalGradientOptions? options = null, IReadOnlyList<ResidualBlock>? metricBlocks = null)
    {
        Options = options ?? new NaturalGradientOptions();
        if (!(Options.Damping >= 0) || !double.IsFinite(Options.Damping))
            throw new ArgumentOutOfRangeException(nameof(options), Options.Damping, "NaturalGradientOptions.Damping must be finite and ≥ 0.");
        _cublas = cublas;
        _problem = new CudaLeastSquaresProblem<TModel>(context, modules, cublas, new CudaVectors(cublas), blocks);
        int p = TModel.ParameterCount;
        _residuals = new DeviceBuffer<double>(_problem.ResidualCount);
        if (metricBlocks is not null)
        {
            _metric = new CudaLeastSquaresProblem<TModel>(context, modules, cublas, new CudaVectors(cublas), metricBlocks);
            _metricResiduals = new DeviceBuffer<double>(_metric.ResidualCount);
        }
        int m = (_metric ?? _problem).ResidualCount;
        _jacobianTransposed = new DeviceBuffer<double>(checked(m * p));
        _gramian = new DeviceBuffer<double>(p * p);
        _gradient = new DeviceBuffer<double>(p);
        _hostGramian = new double[p * p];
        _hostGradient = new double[p];
        _hostDirection = new double[p];
        _solver = new GramianDirection(p);
    }

    /// <summary>Damping and pseudo-inverse cutoff (the step options apply to the caller's update).</summary>
    public NaturalGradientOptions Options { get; }

    /// <summary>How many eigen-directions of G + λI the last direction kept.</summary>
    public int Rank => _solver.Rank;

    /// <summary>∇L at the point of the last <see cref="Direction"/>, on the host.</summary>
    public ReadOnlySpan<double> Gradient => _hostGradient;

    /// <summary>Writes δ = −(G + λI)⁺∇L at θ into <paramref name="direction"/> (to be applied as θ + ηδ); returns L(θ).</summary>
    public double Direction(DeviceBuffer<double> theta, DeviceBuffer<double> direction)
    {
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(direction);
        int p = TModel.ParameterCount;
        if (theta.Length != p || direction.Length != p)
            throw new ArgumentException($"{TModel.Name}: θ and the direction need {p} entries (got {theta.Length} and {direction.Length}).");

        double cost = _problem.Linearize(theta, _residuals);
        if (_metric is null)
        {
            _problem.JacobianTransposed(theta, _jacobianTransposed);
            GramianAndGradient(_cublas, _problem.ResidualCount, _jacobianTransposed, _residuals, _gramian, _gradient, _hostGramian, _hostGradient);
        }
        else
        {
            // G = J_MᵀJ_M from the metric's blocks; ∇L = Jᵀr from VJPs of the loss blocks.
            _metric.Linearize(theta, _metricResiduals!);
            _metric.JacobianTransposed(theta, _jacobianTransposed);
            int m = _metric.ResidualCount;
            _cublas.Gemm(false, true, p, p, m, 1.0, _jacobianTransposed.Pointer, m, _jacobianTransposed.Pointer, m, 0.0, _gramian.Pointer, p);
            _problem.Gradient(theta, _gradient);
            _gramian.CopyTo(_hostGramian);
            _gradient.CopyTo(_hostGradient);
        }
        _solver.Solve(_hostGramian, p, Options.Damping, Options.PseudoInverseCutoff, _hostGradient, _hostDirection);
        direction.CopyFrom(_hostDirection);
        return cost;
    }

    /// <summary>G = JᵀJ = Jt·Jtᵀ and ∇L = Jᵀr = Jt·r on the device (Cublas.Gemm takes row-major operands), then both
    /// copied to the host.</summary>
    internal static void GramianAndGradient(Cublas cublas, int m, DeviceBuffer<double> jacobianTransposed, DeviceBuffer<double> residuals,
        DeviceBuffer<double> gramian, DeviceBuffer<double> gradient, double[] hostGramian, double[] hostGradient)
    {
        int p = gradient.Length;
        cublas.Gemm(false, true, p, p, m, 1.0, jacobianTransposed.Pointer, m, jacobianTransposed.Pointer, m, 0.0, gramian.Pointer, p);
        cublas.Gemm(false, false, p, 1, m, 1.0, jacobianTransposed.Pointer, m, residuals.Pointer, 1, 0.0, gradient.Pointer, 1);
        gramian.CopyTo(hostGramian);
        gradient.CopyTo(hostGradient);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _problem.Dispose();
        _metric?.Dispose();
        _metricResiduals?.Dispose();
        foreach (var buffer in new[] { _residuals, _jacobianTransposed, _gramian, _gradient })
            buffer.Dispose();
    }
}
