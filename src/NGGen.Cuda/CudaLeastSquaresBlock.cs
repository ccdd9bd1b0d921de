namespace NGGen.Cuda;

/// <summary>
/// One least-squares block ½w‖F(θ; x) − y‖² resident on the device: the model's passes at a fixed batch, the inputs
/// and the targets. The GPU solvers (<see cref="CudaGaussNewtonCg{TModel}"/>, <see cref="CudaDualGaussNewton{TModel}"/>)
/// share it; only scalars come back to the host.
/// </summary>
internal sealed class CudaLeastSquaresBlock<TModel> : IDisposable
    where TModel : IModel<TModel>
{
    private readonly CudaVectors _vectors;
    // Null for a residual block (y = 0).
    private readonly DeviceBuffer<double>? _targets;

    /// <summary>Uploads the block's data; the targets, when given, must hold outputs × batch values (null: y = 0, a
    /// residual block such as a PDE's).</summary>
    public CudaLeastSquaresBlock(CudaContext context, CudaModuleCache modules, Cublas cublas, CudaVectors vectors, int function,
        double[] inputs, int batch, double[]? targets, double weight)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!(weight > 0) || !double.IsFinite(weight))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"{TModel.Name}: the block weight must be positive and finite.");
        Model = new CudaModel<TModel, double>(context, modules, function, batch, cublas);
        OutputCount = TModel.Functions[function].OutputSize * batch;
        if (targets is not null && targets.Length != OutputCount)
            throw new ArgumentException($"{TModel.Name}: targets hold {targets.Length} values, expected {OutputCount} (outputs × batch).", nameof(targets));
        _vectors = vectors;
        Weight = weight;
        Inputs = new DeviceBuffer<double>(inputs);
        _targets = targets is null ? null : new DeviceBuffer<double>(targets);
    }

    /// <summary>The model's passes on the device.</summary>
    public CudaModel<TModel, double> Model { get; }

    /// <summary>The block's inputs on the device.</summary>
    public DeviceBuffer<double> Inputs { get; }

    /// <summary>The weight w.</summary>
    public double Weight { get; }

    /// <summary>Outputs × batch: the length of a residual.</summary>
    public int OutputCount { get; }

    /// <summary>Linearizes at θ, writes the residual F − y into <paramref name="residual"/> and returns ½w‖F − y‖².</summary>
    public double Linearize(DeviceBuffer<double> theta, DeviceBuffer<double> residual)
    {
        Model.Linearize(theta, Inputs, residual);
        return HalfWeightedSquare(residual);
    }

    /// <summary>½w‖F(θ) − y‖² from a forward pass (written into <paramref name="scratch"/>); the linearization is kept.</summary>
    public double CostAt(DeviceBuffer<double> theta, DeviceBuffer<double> scratch)
    {
        Model.Forward(theta, Inputs, scratch);
        return HalfWeightedSquare(scratch);
    }

    // outputs ← outputs − y; returns ½w‖outputs‖².
    private double HalfWeightedSquare(DeviceBuffer<double> outputs)
    {
        if (_targets is not null)
            _vectors.Axpy(-1, _targets, outputs);
        return 0.5 * Weight * _vectors.Dot(outputs, outputs);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Model.Dispose();
        Inputs.Dispose();
        _targets?.Dispose();
    }
}
