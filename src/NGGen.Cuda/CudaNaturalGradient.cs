using NGGen.LinearAlgebra;
using NGGen.Solvers;

namespace NGGen.Cuda;

/// <summary>
/// Natural-gradient directions δ = −(G + λI)⁺∇L on the GPU for a least-squares block ½w‖F(θ; x) − y‖², where the
/// Fisher / Gauss-Newton metric is G = JᵀJ with J = √w ∂F/∂θ: the host <see cref="NaturalGradient{TModel}"/>'s
/// direction for that problem.
/// </summary>
/// <remarks>
/// θ, the data and the m×p Jacobian stay on the device (stored as Jᵀ, one row per parameter): J is built column by column from p linearized JVPs with unit
/// tangents, and G = JᵀJ and ∇L = Jᵀg are cuBLAS products there. Only G (p×p) and ∇L (p) come back, for the same
/// pseudo-inverse solve the host uses (<see cref="GramianDirection"/>: Cholesky when λ allows, else a truncated Jacobi
/// eigendecomposition, which cuSOLVER would replace); δ goes back up. Like the host class, this is for small p.
/// </remarks>
public sealed class CudaNaturalGradient<TModel> : IDisposable
    where TModel : IModel<TModel>
{
    private readonly CudaLeastSquaresBlock<TModel> _block;
    private readonly CudaVectors _vectors;
    private readonly Cublas _cublas;
    private readonly double _rootWeight;
    private readonly DeviceBuffer<double> _outputGradient, _column, _unitTangent, _jacobian, _gramian, _gradient;
    private readonly double[] _hostGramian, _hostGradient, _hostDirection;
    private readonly GramianDirection _solver;

    /// <summary>Uploads the block's data and allocates every buffer (the Jacobian is outputs × batch × p doubles).</summary>
    public CudaNaturalGradient(CudaContext context, CudaModuleCache modules, Cublas cublas, int function, double[] inputs, int batch,
        double[] targets, double weight = 1.0, NaturalGradientOptions? options = null)
    {
        Options = options ?? new NaturalGradientOptions();
        if (!(Options.Damping >= 0) || !double.IsFinite(Options.Damping))
            throw new ArgumentOutOfRangeException(nameof(options), Options.Damping, "NaturalGradientOptions.Damping must be finite and ≥ 0.");
        _cublas = cublas;
        _vectors = new CudaVectors(cublas);
        _block = new CudaLeastSquaresBlock<TModel>(context, modules, cublas, _vectors, function, inputs, batch, targets, weight);
        _rootWeight = Math.Sqrt(weight);
        int m = _block.OutputCount, p = TModel.ParameterCount;
        _outputGradient = new DeviceBuffer<double>(m);
        _column = new DeviceBuffer<double>(m);
        _unitTangent = new DeviceBuffer<double>(p);
        _jacobian = new DeviceBuffer<double>(checked(m * p));
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
        int m = _block.OutputCount, p = TModel.ParameterCount;
        if (theta.Length != p || direction.Length != p)
            throw new ArgumentException($"{TModel.Name}: θ and the direction need {p} entries (got {theta.Length} and {direction.Length}).");

        double cost = _block.Linearize(theta, _outputGradient);
        _vectors.Scale(_rootWeight, _outputGradient);

        // Row j of Jt (p×m, row-major: Jᵀ) is √w·(∂F/∂θ)e_j, a column of J.
        _unitTangent.Clear();
        for (int j = 0; j < p; j++)
        {
            if (j > 0)
                _unitTangent.SetElement(j - 1, 0.0);
            _unitTangent.SetElement(j, 1.0);
            _block.Model.LinearizedJvp(theta, _block.Inputs, _unitTangent, _column);
            _jacobian.CopyFrom(_column, j * m);
        }
        _vectors.Scale(_rootWeight, _jacobian);

        // G = JᵀJ = Jt·Jtᵀ and ∇L = Jᵀg = Jt·g (Cublas.Gemm takes row-major operands).
        _cublas.Gemm(false, true, p, p, m, 1.0, _jacobian.Pointer, m, _jacobian.Pointer, m, 0.0, _gramian.Pointer, p);
        _cublas.Gemm(false, false, p, 1, m, 1.0, _jacobian.Pointer, m, _outputGradient.Pointer, 1, 0.0, _gradient.Pointer, 1);
        _gramian.CopyTo(_hostGramian);
        _gradient.CopyTo(_hostGradient);
        _solver.Solve(_hostGramian, p, Options.Damping, Options.PseudoInverseCutoff, _hostGradient, _hostDirection);
        direction.CopyFrom(_hostDirection);
        return cost;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _block.Dispose();
        foreach (var buffer in new[] { _outputGradient, _column, _unitTangent, _jacobian, _gramian, _gradient })
            buffer.Dispose();
    }
}
