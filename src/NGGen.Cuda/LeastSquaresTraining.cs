using NGGen.Solvers;

namespace NGGen.Cuda;

/// <summary>What a <see cref="LeastSquaresTraining"/> run did: where it ran, why, and the cost before each iteration.</summary>
/// <param name="Backend">Where the iterations ran.</param>
/// <param name="Reason">The backend choice in one line (<see cref="BackendSelector"/>).</param>
/// <param name="Costs">The cost L(θ) before each iteration.</param>
public sealed record LeastSquaresRun(ComputeBackend Backend, string Reason, double[] Costs);

/// <summary>
/// One solver call (GN-CG, dual GN or natural gradient) for a least-squares block ½w‖F(θ; x) − y‖² that runs on the CPU or the GPU as
/// <see cref="BackendSelector"/> chooses: explicitly, or by the size of a forward pass (small models stay on the CPU).
/// Without CUDA it runs on the CPU and writes the reason, once per process, to the log. On the GPU, θ, the data and
/// the Krylov vectors stay on the device for the whole run; θ is downloaded once at the end.
/// </summary>
public static class LeastSquaresTraining
{
    /// <summary>Runs <paramref name="iterations"/> GN-CG iterations (<see cref="GaussNewtonCgStepper{TModel}"/> or
    /// <see cref="CudaGaussNewtonCg{TModel}"/>), updating <paramref name="theta"/> in place.</summary>
    public static LeastSquaresRun GaussNewtonCg<TModel>(int function, double[] inputs, int batch, double[] targets, double weight,
        double[] theta, int iterations, GaussNewtonCgOptions? options = null, BackendPreference preference = BackendPreference.Auto,
        TextWriter? log = null)
        where TModel : IModel<TModel>
    {
        Validate<TModel>(theta, iterations);
        var choice = BackendSelector.Choose<TModel>(preference, function, batch, log);
        var costs = new double[iterations];
        if (choice.Backend == ComputeBackend.Cpu)
        {
            var stepper = new GaussNewtonCgStepper<TModel>(new TrainingProblem<TModel>(new ResidualBlock(function, inputs, batch, targets, weight)), options);
            for (int i = 0; i < iterations; i++)
                costs[i] = stepper.Iterate(theta).CostBefore;
        }
        else
        {
            using var device = new Device();
            using var solver = new CudaGaussNewtonCg<TModel>(device.Context, device.Modules, device.Cublas, function, inputs, batch, targets, weight, options);
            using var deviceTheta = new DeviceBuffer<double>(theta);
            for (int i = 0; i < iterations; i++)
                costs[i] = solver.Iterate(deviceTheta).CostBefore;
            deviceTheta.CopyTo(theta);
        }

        return new LeastSquaresRun(choice.Backend, choice.Reason, costs);
    }

    /// <summary>Takes <paramref name="iterations"/> dual Gauss-Newton steps θ ← θ + v (<see cref="DualGaussNewton{TModel}"/>
    /// or <see cref="CudaDualGaussNewton{TModel}"/>; the step size is <see cref="DualGaussNewtonOptions.Gamma"/>),
    /// updating <paramref name="theta"/> in place.</summary>
    public static LeastSquaresRun DualGaussNewton<TModel>(int function, double[] inputs, int batch, double[] targets, double weight,
        double[] theta, int iterations, DualGaussNewtonOptions? options = null, BackendPreference preference = BackendPreference.Auto,
        TextWriter? log = null)
        where TModel : IModel<TModel>
    {
        Validate<TModel>(theta, iterations);
        var choice = BackendSelector.Choose<TModel>(preference, function, batch, log);
        double[] costs;
        if (choice.Backend == ComputeBackend.Cpu)
        {
            var dual = new DualGaussNewton<TModel>(new TrainingProblem<TModel>(new ResidualBlock(function, inputs, batch, targets, weight)), options);
            costs = StepOnCpu(theta, iterations, 1.0, (at, step) => dual.Direction(at, step));
        }
        else
        {
            using var device = new Device();
            using var dual = new CudaDualGaussNewton<TModel>(device.Context, device.Modules, device.Cublas, function, inputs, batch, targets, weight, options);
            costs = StepOnGpu(device, theta, iterations, 1.0, dual.Direction);
        }

        return new LeastSquaresRun(choice.Backend, choice.Reason, costs);
    }

    /// <summary>Takes <paramref name="iterations"/> natural-gradient steps θ ← θ + ηδ, δ = −(JᵀJ + λI)⁺∇L
    /// (<see cref="NaturalGradient{TModel}"/> or <see cref="CudaNaturalGradient{TModel}"/>; η is
    /// <see cref="NaturalGradientOptions.LearningRate"/>), updating <paramref name="theta"/> in place. These are fixed
    /// steps, the discretised natural-gradient flow; for backtracking or a step cap use <see cref="NaturalGradient{TModel}.Solve"/>.</summary>
    /// <exception cref="NotSupportedException">The options ask for backtracking or a step cap.</exception>
    public static LeastSquaresRun NaturalGradient<TModel>(int function, double[] inputs, int batch, double[] targets, double weight,
        double[] theta, int iterations, NaturalGradientOptions? options = null, BackendPreference preference = BackendPreference.Auto,
        TextWriter? log = null)
        where TModel : IModel<TModel>
    {
        Validate<TModel>(theta, iterations);
        options ??= new NaturalGradientOptions();
        if (options.MaxBacktracks != 0 || !double.IsPositiveInfinity(options.MaxRelativeStep))
            throw new NotSupportedException("LeastSquaresTraining.NaturalGradient takes fixed steps: set MaxBacktracks = 0 and no MaxRelativeStep, or use NaturalGradient<TModel>.Solve on the CPU.");
        var choice = BackendSelector.Choose<TModel>(preference, function, batch, log);
        double[] costs;
        if (choice.Backend == ComputeBackend.Cpu)
        {
            var natural = new NaturalGradient<TModel>(new TrainingProblem<TModel>(new ResidualBlock(function, inputs, batch, targets, weight)), options);
            costs = StepOnCpu(theta, iterations, options.LearningRate, (at, step) => natural.Direction(at, step));
        }
        else
        {
            using var device = new Device();
            using var natural = new CudaNaturalGradient<TModel>(device.Context, device.Modules, device.Cublas, function, inputs, batch, targets, weight, options);
            costs = StepOnGpu(device, theta, iterations, options.LearningRate, natural.Direction);
        }

        return new LeastSquaresRun(choice.Backend, choice.Reason, costs);
    }

    // θ ← θ + η·direction(θ), `iterations` times, on the host; returns the cost before each step.
    private static double[] StepOnCpu(double[] theta, int iterations, double eta, Func<double[], double[], double> direction)
    {
        var costs = new double[iterations];
        var step = new double[theta.Length];
        for (int i = 0; i < iterations; i++)
        {
            costs[i] = direction(theta, step);
            for (int j = 0; j < theta.Length; j++)
                theta[j] += eta * step[j];
        }
        return costs;
    }

    // The same with θ and the direction on the device; θ is downloaded once at the end.
    private static double[] StepOnGpu(Device device, double[] theta, int iterations, double eta,
        Func<DeviceBuffer<double>, DeviceBuffer<double>, double> direction)
    {
        var costs = new double[iterations];
        using var deviceTheta = new DeviceBuffer<double>(theta);
        using var step = new DeviceBuffer<double>(theta.Length);
        var vectors = new CudaVectors(device.Cublas);
        for (int i = 0; i < iterations; i++)
        {
            costs[i] = direction(deviceTheta, step);
            vectors.Axpy(eta, step, deviceTheta);
        }
        deviceTheta.CopyTo(theta);
        return costs;
    }

    private static void Validate<TModel>(double[] theta, int iterations)
        where TModel : IModel<TModel>
    {
        ArgumentNullException.ThrowIfNull(theta);
        if (theta.Length != TModel.ParameterCount)
            throw new ArgumentException($"{TModel.Name}: θ holds {theta.Length} values, expected {TModel.ParameterCount}.", nameof(theta));
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
    }

    // The context, module cache and cuBLAS handle of one GPU run, released in reverse order.
    private sealed class Device : IDisposable
    {
        public CudaContext Context { get; } = CudaContext.Create();

        public CudaModuleCache Modules { get; }

        public Cublas Cublas { get; }

        public Device()
        {
            Modules = new CudaModuleCache(Context);
            Cublas = new Cublas();
        }

        public void Dispose()
        {
            Cublas.Dispose();
            Modules.Dispose();
            Context.Dispose();
        }
    }
}
