using NGGen.Solvers;

namespace NGGen.Cuda;

/// <summary>
/// Least-squares blocks over one model on the device, Σ_b ½w_b‖F_b(θ; x_b) − y_b‖², in the stacked coordinates of
/// <see cref="TrainingProblem{TModel}"/>: r = [√w_b(F_b − y_b)] and J = ∂r/∂θ. The dense-Jacobian GPU solvers
/// (<see cref="CudaNaturalGradient{TModel}"/>, <see cref="CudaEnergyNaturalGradientStepper{TModel}"/>) build on it.
/// </summary>
internal sealed class CudaLeastSquaresProblem<TModel> : IDisposable
    where TModel : IModel<TModel>
{
    private readonly CudaLeastSquaresBlock<TModel>[] _blocks;
    private readonly DeviceBuffer<double>[] _scratch;
    private readonly int[] _offsets;
    private readonly double[] _rootWeights;
    private readonly CudaVectors _vectors;
    private readonly DeviceBuffer<double> _unitTangent;

    /// <summary>Uploads every block; each must be a squared-loss block without a robust loss.</summary>
    public CudaLeastSquaresProblem(CudaContext context, CudaModuleCache modules, Cublas cublas, CudaVectors vectors, IReadOnlyList<ResidualBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count == 0)
            throw new ArgumentException($"{TModel.Name}: a least-squares problem needs at least one block.", nameof(blocks));
        _vectors = vectors;
        _blocks = new CudaLeastSquaresBlock<TModel>[blocks.Count];
        _scratch = new DeviceBuffer<double>[blocks.Count];
        _offsets = new int[blocks.Count];
        _rootWeights = new double[blocks.Count];
        for (int b = 0; b < blocks.Count; b++)
        {
            var block = blocks[b];
            if (block.OutputLoss != OutputLoss.Squared || block.Loss is not null)
                throw new NotSupportedException($"{TModel.Name}: block {b} is not plain least squares ({block.OutputLoss}{(block.Loss is null ? "" : ", robust")}); the GPU solvers take squared-loss blocks only.");
            _blocks[b] = new CudaLeastSquaresBlock<TModel>(context, modules, cublas, vectors, block.Function, block.Inputs, block.Batch, block.Targets, block.Weight);
            _scratch[b] = new DeviceBuffer<double>(_blocks[b].OutputCount);
            _offsets[b] = ResidualCount;
            _rootWeights[b] = Math.Sqrt(block.Weight);
            ResidualCount += _blocks[b].OutputCount;
        }
        _unitTangent = new DeviceBuffer<double>(TModel.ParameterCount);
    }

    /// <summary>The stacked residual length m.</summary>
    public int ResidualCount { get; }

    /// <summary>Linearizes every block at θ, writes r and returns ½‖r‖².</summary>
    public double Linearize(DeviceBuffer<double> theta, DeviceBuffer<double> residuals) => Evaluate(theta, residuals, linearize: true);

    /// <summary>Writes r at θ from forward passes (the linearizations are kept) and returns ½‖r‖².</summary>
    public double Cost(DeviceBuffer<double> theta, DeviceBuffer<double> residuals) => Evaluate(theta, residuals, linearize: false);

    private double Evaluate(DeviceBuffer<double> theta, DeviceBuffer<double> residuals, bool linearize)
    {
        double cost = 0;
        for (int b = 0; b < _blocks.Length; b++)
        {
            cost += linearize ? _blocks[b].Linearize(theta, _scratch[b]) : _blocks[b].CostAt(theta, _scratch[b]);
            Stack(b, residuals, _offsets[b]);
        }
        return cost;
    }

    /// <summary>Writes Jᵀ (p×m, row-major: row j is J·e_j) at the last <see cref="Linearize"/>: p JVPs per block.</summary>
    public void JacobianTransposed(DeviceBuffer<double> theta, DeviceBuffer<double> jacobianTransposed)
    {
        int p = TModel.ParameterCount, m = ResidualCount;
        _unitTangent.Clear();
        for (int j = 0; j < p; j++)
        {
            if (j > 0)
                _unitTangent.SetElement(j - 1, 0.0);
            _unitTangent.SetElement(j, 1.0);
            for (int b = 0; b < _blocks.Length; b++)
            {
                var block = _blocks[b];
                block.Model.LinearizedJvp(theta, block.Inputs, _unitTangent, _scratch[b]);
                Stack(b, jacobianTransposed, (j * m) + _offsets[b]);
            }
        }
    }

    /// <summary>∇L = Jᵀr at the last <see cref="Linearize"/> or <see cref="Cost"/>, from one VJP per block.</summary>
    public void Gradient(DeviceBuffer<double> theta, DeviceBuffer<double> gradient)
    {
        gradient.Clear();
        for (int b = 0; b < _blocks.Length; b++)
        {
            // scratch_b holds r_b = √w_b(F_b − y_b); J_bᵀr_b = (∂F_b/∂θ)ᵀ(√w_b·r_b).
            var block = _blocks[b];
            _vectors.Scale(_rootWeights[b], _scratch[b]);
            block.Model.LinearizedVjp(theta, block.Inputs, _scratch[b], gradient);
        }
    }

    // destination[offset ..] = √w_b · scratch_b.
    private void Stack(int b, DeviceBuffer<double> destination, int offset)
    {
        _vectors.Scale(_rootWeights[b], _scratch[b]);
        destination.CopyFrom(_scratch[b], offset);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var block in _blocks)
            block.Dispose();
        foreach (var buffer in _scratch)
            buffer.Dispose();
        _unitTangent.Dispose();
    }
}
