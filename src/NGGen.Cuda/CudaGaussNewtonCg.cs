using NGGen.Solvers;

namespace NGGen.Cuda;

/// <summary>
/// Hessian-free Gauss-Newton on the GPU for a least-squares block, ½w‖F(θ; x) − y‖², with θ, the data and every
/// Krylov vector resident on the device. The iteration is the host <see cref="GaussNewtonCgStepper{TModel}"/>'s:
/// the same <see cref="DampedConjugateGradient{TVector}"/> (over <see cref="CudaVectors"/>), warm starts, λ rule and
/// acceptance test; G·v = w Jᵀ(J v) from the device linearization. Only scalars (costs, dots, ‖∇L‖∞) come back.
/// </summary>
public sealed class CudaGaussNewtonCg<TModel> : IDisposable
    where TModel : IModel<TModel>
{
    private readonly GaussNewtonCgOptions _options;
    private readonly CudaLeastSquaresBlock<TModel> _block;
    private readonly CudaVectors _vectors;
    private readonly DeviceBuffer<double> _outputs, _outputGradient, _tangentOutputs;
    private readonly DeviceBuffer<double> _gradient, _step, _trial, _product, _residual, _direction, _cgProduct;
    private readonly DampedConjugateGradient<DeviceBuffer<double>> _cg;
    private readonly Operator _gaussNewton;
    private DeviceBuffer<double>? _theta;
    private bool _evaluated;
    private bool _coldStart = true;

    /// <summary>Uploads the block's data and allocates every device buffer.</summary>
    public CudaGaussNewtonCg(CudaContext context, CudaModuleCache modules, Cublas cublas, int function, double[] inputs, int batch,
        double[] targets, double weight = 1.0, GaussNewtonCgOptions? options = null)
    {
        _options = options ?? new GaussNewtonCgOptions();
        _vectors = new CudaVectors(cublas);
        _block = new CudaLeastSquaresBlock<TModel>(context, modules, cublas, _vectors, function, inputs, batch, targets, weight);
        int outputs = _block.OutputCount, p = TModel.ParameterCount;
        _outputs = new DeviceBuffer<double>(outputs);
        _outputGradient = new DeviceBuffer<double>(outputs);
        _tangentOutputs = new DeviceBuffer<double>(outputs);
        _gradient = new DeviceBuffer<double>(p);
        _step = new DeviceBuffer<double>(p);
        _trial = new DeviceBuffer<double>(p);
        _product = new DeviceBuffer<double>(p);
        _residual = new DeviceBuffer<double>(p);
        _direction = new DeviceBuffer<double>(p);
        _cgProduct = new DeviceBuffer<double>(p);
        _step.Clear();
        _cg = new DampedConjugateGradient<DeviceBuffer<double>>(_vectors, _residual, _direction, _cgProduct, _options.MaxCgIterations, _options.CgEpsilon);
        _gaussNewton = new Operator(this);
        Damping = _options.InitialDamping;
    }

    /// <summary>The damping λ the next iteration uses.</summary>
    public double Damping { get; set; }

    /// <summary>The cost at θ as of the last evaluation.</summary>
    public double Cost { get; private set; } = double.NaN;

    /// <summary>One outer iteration from <paramref name="theta"/> (on the device), which moves to θ + δ when the cost falls.</summary>
    public GaussNewtonCgOutcome Iterate(DeviceBuffer<double> theta)
    {
        ArgumentNullException.ThrowIfNull(theta);
        if (!ReferenceEquals(theta, _theta))
        {
            _theta = theta;
            _evaluated = false;
        }

        if (!_evaluated)
            Evaluate();
        double cost = Cost;
        if (!double.IsFinite(cost))
            return new GaussNewtonCgOutcome(cost, double.NaN, false, 0, 0, double.NaN, double.NaN, false);

        _gradient.Clear();
        _block.Model.LinearizedVjp(theta, _block.Inputs, _outputGradient, _gradient);
        double gradientNorm = _vectors.MaxMagnitude(_gradient);
        if (!double.IsFinite(gradientNorm) || gradientNorm < _options.GradientTolerance)
            return new GaussNewtonCgOutcome(cost, gradientNorm, false, 0, 0, double.NaN, double.NaN, false);

        if (_options.WarmStartDecay == 0)
            _coldStart = true;
        int cgIterations = _cg.Solve(_gaussNewton, Damping, _gradient, _step, !_coldStart, _options.WarmStartDecay);
        if (cgIterations > 0)
            _coldStart = false;

        _gaussNewton.Apply(_step, _product);
        double predicted = _vectors.Dot(_gradient, _step) + (0.5 * _vectors.Dot(_step, _product));
        _vectors.Copy(theta, _trial);
        _vectors.Axpy(1, _step, _trial);
        double trialCost = CostAt(_trial);
        double ratio = GaussNewtonDamping.Ratio(cost, trialCost, predicted);
        Damping = GaussNewtonDamping.Update(Damping, ratio);
        bool accepted = double.IsFinite(trialCost) && trialCost < cost;
        double stepNorm = Math.Sqrt(_vectors.Dot(_step, _step));
        if (accepted)
        {
            _vectors.Copy(_trial, theta);
            Cost = trialCost;
            _evaluated = false;
        }
        else
        {
            _coldStart = true;
        }

        return new GaussNewtonCgOutcome(cost, gradientNorm, true, cgIterations, stepNorm, trialCost, ratio, accepted);
    }

    // Linearizes at θ: residual d = F − y, cost ½w‖d‖², output gradient w·d.
    private void Evaluate()
    {
        Cost = _block.Linearize(_theta!, _outputs);
        _vectors.Copy(_outputs, _outputGradient);
        _vectors.Scale(_block.Weight, _outputGradient);
        _evaluated = true;
    }

    private double CostAt(DeviceBuffer<double> theta) => _block.CostAt(theta, _tangentOutputs);

    // G·v = w·Jᵀ(J v) at the linearization of the current θ.
    private sealed class Operator(CudaGaussNewtonCg<TModel> owner) : ILinearOperator<DeviceBuffer<double>>
    {
        public void Apply(DeviceBuffer<double> v, DeviceBuffer<double> result)
        {
            var block = owner._block;
            block.Model.LinearizedJvp(owner._theta!, block.Inputs, v, owner._tangentOutputs);
            owner._vectors.Scale(block.Weight, owner._tangentOutputs);
            result.Clear();
            block.Model.LinearizedVjp(owner._theta!, block.Inputs, owner._tangentOutputs, result);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _block.Dispose();
        foreach (var buffer in new[] { _outputs, _outputGradient, _tangentOutputs, _gradient, _step, _trial, _product, _residual, _direction, _cgProduct })
            buffer.Dispose();
    }
}
