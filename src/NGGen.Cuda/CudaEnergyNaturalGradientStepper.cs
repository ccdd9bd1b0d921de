using System.Numerics.Tensors;
using NGGen.LinearAlgebra;
using NGGen.Solvers;

namespace NGGen.Cuda;

/// <summary>
/// Energy natural gradient descent (Müller and Zeinhofer 2023) on the GPU: the iteration of the host
/// <see cref="EnergyNaturalGradientStepper{TModel}"/> for PDE residual blocks (or any least-squares blocks), with θ,
/// the collocation points, the residuals, the Jacobian and every line-search trial on the device.
/// </summary>
/// <remarks>
/// Per iteration: r and Jᵀ on the device (p linearized JVPs per block), G = JᵀJ and ∇L = Jᵀr by cuBLAS; G and ∇L
/// come back for the host's solve, the same code as the CPU stepper's (the pseudo-inverse with its cutoff raised by
/// 100× while no grid step lowers the loss, or a shifted Cholesky); the direction goes back up and the grid line
/// search η = 0.5^k, k = 0..<see cref="EnergyNaturalGradientOptions.LineSearchExponents"/>, runs forward passes on
/// the device. <see cref="GramianSolver.LeastSquaresQr"/> is not offered: it needs J itself on the host.
/// </remarks>
public sealed class CudaEnergyNaturalGradientStepper<TModel> : IDisposable
    where TModel : IModel<TModel>
{
    private const double MaxCutoff = 1e-2;

    private readonly CudaLeastSquaresProblem<TModel> _problem;
    private readonly Cublas _cublas;
    private readonly CudaVectors _vectors;
    private readonly EnergyNaturalGradientOptions _options;
    private readonly DeviceBuffer<double> _residuals, _trialResiduals, _jacobianTransposed, _gramian, _gradient, _direction, _trial, _best;
    private readonly double[] _hostGramian, _hostGradient, _hostDirection;
    private readonly SymmetricEigen? _eigen;
    private readonly Cholesky? _cholesky;
    private DeviceBuffer<double>? _theta;
    private bool _evaluated;

    /// <summary>Uploads the blocks (squared-loss blocks only) and allocates every buffer.</summary>
    /// <exception cref="NotSupportedException">The options ask for <see cref="GramianSolver.LeastSquaresQr"/>.</exception>
    public CudaEnergyNaturalGradientStepper(CudaContext context, CudaModuleCache modules, Cublas cublas, IReadOnlyList<ResidualBlock> blocks,
        EnergyNaturalGradientOptions? options = null)
    {
        _options = options ?? new EnergyNaturalGradientOptions();
        if (_options.Solver == GramianSolver.LeastSquaresQr)
            throw new NotSupportedException("CudaEnergyNaturalGradientStepper solves with the pseudo-inverse or Cholesky: GramianSolver.LeastSquaresQr needs J on the host (use EnergyNaturalGradientStepper).");
        _cublas = cublas;
        _vectors = new CudaVectors(cublas);
        _problem = new CudaLeastSquaresProblem<TModel>(context, modules, cublas, _vectors, blocks);
        int m = _problem.ResidualCount, p = TModel.ParameterCount;
        _residuals = new DeviceBuffer<double>(m);
        _trialResiduals = new DeviceBuffer<double>(m);
        _jacobianTransposed = new DeviceBuffer<double>(checked(m * p));
        _gramian = new DeviceBuffer<double>(p * p);
        _gradient = new DeviceBuffer<double>(p);
        _direction = new DeviceBuffer<double>(p);
        _trial = new DeviceBuffer<double>(p);
        _best = new DeviceBuffer<double>(p);
        _hostGramian = new double[p * p];
        _hostGradient = new double[p];
        _hostDirection = new double[p];
        if (_options.Solver == GramianSolver.PseudoInverse)
            _eigen = new SymmetricEigen(p, _options.EigenMethod);
        else
            _cholesky = new Cholesky(p);
    }

    /// <summary>The loss at θ as of the last evaluation or accepted step.</summary>
    public double Cost { get; private set; } = double.NaN;

    /// <summary>One ENGD iteration from <paramref name="theta"/> (on the device), which moves to the best grid point
    /// when it lowers the loss.</summary>
    public EnergyNaturalGradientOutcome Iterate(DeviceBuffer<double> theta)
    {
        ArgumentNullException.ThrowIfNull(theta);
        int p = TModel.ParameterCount, m = _problem.ResidualCount;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        if (!ReferenceEquals(theta, _theta))
        {
            _theta = theta;
            _evaluated = false;
        }

        // The Jacobian needs the linearizations at θ, which a forward-only evaluation did not leave.
        double cost = _problem.Linearize(theta, _residuals);
        if (!_evaluated)
            Cost = cost;
        cost = Cost;
        _problem.JacobianTransposed(theta, _jacobianTransposed);
        CudaNaturalGradient<TModel>.GramianAndGradient(_cublas, m, _jacobianTransposed, _residuals, _gramian, _gradient, _hostGramian, _hostGradient);
        double gradientNorm = 0, largestDiagonal = 0;
        for (int j = 0; j < p; j++)
        {
            gradientNorm = Math.Max(gradientNorm, Math.Abs(_hostGradient[j]));
            largestDiagonal = Math.Max(largestDiagonal, _hostGramian[j * p + j]);
        }
        if (!double.IsFinite(gradientNorm) || gradientNorm < _options.GradientTolerance)
            return new EnergyNaturalGradientOutcome(cost, gradientNorm, false, 0, 0, 0, false, cost);

        double shift = 0, cutoff = _options.PseudoInverseCutoff;
        _eigen?.Decompose(_hostGramian, p);
        double bestCost = double.PositiveInfinity, bestEta = 0, predicted = double.NaN;
        while (true)
        {
            if (_eigen is not null)
            {
                _eigen.SolvePseudoInverse(_hostGradient, _hostDirection, cutoff);
            }
            else
            {
                shift = Math.Max(_options.RelativeDamping * largestDiagonal, double.Epsilon);
                while (!_cholesky!.TryFactor(_hostGramian, p, shift))
                    shift *= 10;
                _cholesky.Solve(_hostGradient, _hostDirection);
            }
            _direction.CopyFrom(_hostDirection);
            if (double.IsNaN(predicted))
                predicted = EnergyNaturalGradientOutcome.RelativeDecreaseOf(_hostGradient, _hostDirection, cost);

            // Grid line search over η = 0.5^k on the device: keep the smallest loss.
            double eta = 1;
            for (int k = 0; k <= _options.LineSearchExponents; k++, eta *= 0.5)
            {
                _vectors.Copy(theta, _trial);
                _vectors.Axpy(-eta, _direction, _trial);
                double trialCost = _problem.Cost(_trial, _trialResiduals);
                if (trialCost < bestCost)
                {
                    bestCost = trialCost;
                    bestEta = eta;
                    _vectors.Copy(_trial, _best);
                }
            }
            if (bestCost < cost || _eigen is null || cutoff >= MaxCutoff)
                break;
            cutoff *= 100;
        }

        bool accepted = bestCost < cost;
        double stepNorm = bestEta * TensorPrimitives.Norm<double>(_hostDirection);
        double regularization = _eigen is not null ? cutoff : shift;
        if (!accepted)
            return new EnergyNaturalGradientOutcome(cost, gradientNorm, true, bestEta, stepNorm, regularization, false, cost, predicted);
        _vectors.Copy(_best, theta);
        Cost = bestCost;
        _evaluated = true;
        return new EnergyNaturalGradientOutcome(cost, gradientNorm, true, bestEta, stepNorm, regularization, true, bestCost, predicted);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _problem.Dispose();
        foreach (var buffer in new[] { _residuals, _trialResiduals, _jacobianTransposed, _gramian, _gradient, _direction, _trial, _best })
            buffer.Dispose();
    }
}
