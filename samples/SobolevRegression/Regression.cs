using NGGen.Solvers;

namespace NGGen.Samples.SobolevRegression;

/// <summary>Figures of a regression fit.</summary>
/// <param name="TrainMse">Mean squared error on the training samples.</param>
/// <param name="TestMse">Mean squared error of f on the test grid.</param>
/// <param name="DerivativeError">‖f'_θ − f'‖ / ‖f'‖ on the test grid (relative L² error of the learned derivative).</param>
public sealed record RegressionMetrics(double TrainMse, double TestMse, double DerivativeError);

/// <summary>The regression results: every run, and the curves of the learned function of each run.</summary>
/// <param name="Runs">One per optimizer.</param>
/// <param name="Grid">The test grid.</param>
/// <param name="Curves">Per run (same order): f_θ and f'_θ on the grid at the end.</param>
/// <param name="Train">The training set.</param>
public sealed record RegressionResult(IReadOnlyList<MethodRun<RegressionMetrics>> Runs, double[] Grid,
    IReadOnlyList<(double[] Value, double[] Derivative)> Curves, Dataset Train);

/// <summary>Evaluates a <see cref="RegressionNet"/> on the training set and the test grid.</summary>
public sealed class RegressionEvaluator
{
    private readonly Dataset _train, _test;
    private readonly double[] _trainValues, _testValues, _testDerivatives, _exactDerivatives, _workspace;

    /// <summary>Prepares buffers for <paramref name="train"/> and the grid <paramref name="test"/>.</summary>
    public RegressionEvaluator(Dataset train, Dataset test)
    {
        _train = train;
        _test = test;
        _trainValues = new double[train.Count];
        _testValues = new double[test.Count];
        _testDerivatives = new double[test.Count];
        _exactDerivatives = test.Inputs.Select(Target.Derivative).ToArray();
        int workspace = 0;
        foreach (int function in new[] { RegressionNet.UFunction, RegressionNet.DUFunction })
            foreach (int batch in new[] { train.Count, test.Count })
                workspace = Math.Max(workspace, RegressionNet.WorkspaceLength(function, EvaluationKind.Forward, batch));
        _workspace = new double[workspace];
    }

    /// <summary>The figures at θ.</summary>
    public RegressionMetrics Evaluate(double[] theta)
    {
        RegressionNet.Forward<double>(RegressionNet.UFunction, theta, _train.Inputs, _train.Count, _trainValues, _workspace);
        RegressionNet.Forward<double>(RegressionNet.UFunction, theta, _test.Inputs, _test.Count, _testValues, _workspace);
        RegressionNet.Forward<double>(RegressionNet.DUFunction, theta, _test.Inputs, _test.Count, _testDerivatives, _workspace);
        double trainMse = MeanSquaredDifference(_trainValues, _train.Targets);
        double testMse = MeanSquaredDifference(_testValues, _test.Targets);
        double derivative = Math.Sqrt(MeanSquaredDifference(_testDerivatives, _exactDerivatives) / MeanSquaredDifference(_exactDerivatives, new double[_test.Count]));
        return new RegressionMetrics(trainMse, testMse, derivative);
    }

    /// <summary>f_θ and f'_θ on the test grid.</summary>
    public (double[] Value, double[] Derivative) Curves(double[] theta)
    {
        Evaluate(theta);
        return ((double[])_testValues.Clone(), (double[])_testDerivatives.Clone());
    }

    private static double MeanSquaredDifference(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        return sum / a.Length;
    }
}

/// <summary>
/// The regression experiment: fit f(x) = sin(2πx) + tanh(15(x − 0.3)) on [−1, 1] with <see cref="RegressionNet"/> by
/// the Fisher natural gradient, the Sobolev natural gradient in derivative form (s = 0, 1, 2 on a metric grid) and in
/// kernel form (M = I and the Matérn kernels s = 0, 1, 2), Adam and minibatch SGD, all from the same initial θ.
/// </summary>
public static class RegressionExperiment
{
    /// <summary>The derivative-form metric problem ‖δf‖²_{H^s} on the uniform grid <paramref name="grid"/>: values with
    /// weight 1/M, f' with ℓ²/M (s ≥ 1), f'' with ℓ⁴/M (s = 2). For s ≤ 1 this is <see cref="SobolevMetric.H1{TModel}"/>.</summary>
    public static TrainingProblem<RegressionNet> SobolevMetricProblem(int s, double[] grid, double length)
    {
        if (s is < 0 or > 2)
            throw new ArgumentOutOfRangeException(nameof(s), s, "The derivative form is built for s = 0, 1, 2.");
        if (!(length > 0) || double.IsInfinity(length))
            throw new ArgumentOutOfRangeException(nameof(length), length, "The Sobolev length ℓ must be positive and finite.");
        int m = grid.Length;
        if (s < 2)
            return SobolevMetric.H1<RegressionNet>(RegressionNet.UFunction, RegressionNet.DUFunction, grid, m, s == 1 ? length * length : 0);
        return new TrainingProblem<RegressionNet>(
            new ResidualBlock(RegressionNet.UFunction, grid, m, Weight: 1.0 / m),
            new ResidualBlock(RegressionNet.DUFunction, grid, m, Weight: length * length / m),
            new ResidualBlock(RegressionNet.D2UFunction, grid, m, Weight: Math.Pow(length, 4) / m));
    }

    /// <summary>The Matérn kernel on the 1-D inputs <paramref name="x"/>, divided by its largest eigenvalue so that the
    /// kernel-form step η = 1 moves the smoothest mode of the residual by a full Gauss-Newton step and no mode by more.</summary>
    public static double[] NormalizedMaternKernel(double[] x, int smoothness, double length)
    {
        int n = x.Length;
        var kernel = new double[n * n];
        MaternKernel.Build(x, 1, n, smoothness, length, kernel);
        double largest = LargestEigenvalue(kernel, n);
        for (int i = 0; i < kernel.Length; i++)
            kernel[i] /= largest;
        return kernel;
    }

    /// <summary>The largest eigenvalue of a symmetric positive semi-definite n×n matrix by power iteration.</summary>
    public static double LargestEigenvalue(double[] matrix, int n)
    {
        var v = Enumerable.Repeat(1 / Math.Sqrt(n), n).ToArray();
        var w = new double[n];
        double value = 0;
        for (int iteration = 0; iteration < 500; iteration++)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int j = 0; j < n; j++)
                    sum += matrix[i * n + j] * v[j];
                w[i] = sum;
            }
            double norm = Math.Sqrt(w.Sum(t => t * t));
            double next = v.Zip(w, (a, b) => a * b).Sum();
            for (int i = 0; i < n; i++)
                v[i] = w[i] / norm;
            if (Math.Abs(next - value) <= 1e-12 * Math.Abs(next))
                return next;
            value = next;
        }
        return value;
    }

    /// <summary>Runs every optimizer on the regression task.</summary>
    public static RegressionResult Run(RegressionConfig config, int seed)
    {
        var train = DataSets.RegressionTrain(config.TrainPoints, seed);
        var test = DataSets.Grid(config.TestPoints);
        var metricGrid = DataSets.Grid(config.MetricPoints).Inputs;
        var evaluator = new RegressionEvaluator(train, test);
        var loss = new TrainingProblem<RegressionNet>(new ResidualBlock(RegressionNet.UFunction, train.Inputs, train.Count, train.Targets, Weight: 1.0 / train.Count));
        var initial = new double[RegressionNet.ParameterCount];
        RegressionNet.InitializeParameters<double>(initial, (ulong)seed);
        Func<double[], RegressionMetrics> evaluate = evaluator.Evaluate;
        static string Describe(RegressionMetrics m) => $"train MSE {m.TrainMse:E2}, test MSE {m.TestMse:E2}, f' error {m.DerivativeError:E2}";

        var runs = new List<MethodRun<RegressionMetrics>>();
        void Add(MethodRun<RegressionMetrics> run)
        {
            runs.Add(run);
            Console.WriteLine($"  {run.Method,-34} {run.Final.Seconds,6:F1} s  {Describe(run.Final.Metrics)}");
        }
        int iterations = config.NaturalIterations;
        Add(Training.Natural("NG Fisher (L², train points)", loss, null, config.Damping, initial, iterations, config.Records, evaluate, Describe));
        for (int s = 0; s <= 2; s++)
            Add(Training.Natural($"Sobolev NG derivative s={s}", loss, SobolevMetricProblem(s, metricGrid, config.SobolevLength), config.Damping, initial, iterations, config.Records, evaluate, Describe));
        Add(Training.Kernel("Kernel NG M=I (L²)", loss, OutputMetric.Identity, null, config.Damping, initial, config.KernelIterations, config.Records, evaluate, Describe));
        for (int s = 0; s <= 2; s++)
            Add(Training.Kernel($"Sobolev NG kernel Matérn s={s}", loss, OutputMetric.InverseKernel, NormalizedMaternKernel(train.Inputs, s, config.KernelLength),
                config.Damping, initial, config.KernelIterations, config.Records, evaluate, Describe));
        Add(Training.Adam("Adam (full batch)", loss, initial, config.AdamIterations, config.AdamLearningRate, config.Records, evaluate, Describe));
        Add(Training.Sgd<RegressionNet, RegressionMetrics>($"SGD (minibatch {config.SgdBatch})", RegressionNet.UFunction, train, 1, OutputLoss.Squared,
            config.SgdBatch, config.SgdLearningRate, config.SgdSteps, initial, config.Records, evaluate, Describe));
        return new RegressionResult(runs, test.Inputs, runs.Select(r => evaluator.Curves(r.Theta)).ToList(), train);
    }
}
