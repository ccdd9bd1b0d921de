namespace NGGen.Samples.SobolevRegression;

/// <summary>Sizes and budgets of the regression task.</summary>
/// <param name="TrainPoints">Training samples, drawn uniformly in [−1, 1] from the seed.</param>
/// <param name="TestPoints">Points of the uniform test grid on [−1, 1].</param>
/// <param name="MetricPoints">Points of the uniform grid on which the derivative-form metrics (s = 0, 1, 2) measure ‖δf‖_{H^s}.</param>
/// <param name="SobolevLength">ℓ in ‖g‖²_{H^s} = mean(g²) + ℓ²·mean(g'²) [+ ℓ⁴·mean(g''²) for s = 2].</param>
/// <param name="KernelLength">Length scale T of the Matérn kernels (kernel form).</param>
/// <param name="Damping">Tikhonov damping λ of every natural-gradient solve (parameter and kernel form).</param>
/// <param name="NaturalIterations">Iterations of each derivative-form (parameter-space) natural-gradient run.</param>
/// <param name="KernelIterations">Iterations of each kernel-form run (each costs about 1 % of a parameter-space one).</param>
/// <param name="AdamIterations">Adam iterations (full batch).</param>
/// <param name="AdamLearningRate">Adam step size.</param>
/// <param name="SgdSteps">Minibatch SGD steps.</param>
/// <param name="SgdBatch">Minibatch size.</param>
/// <param name="SgdLearningRate">SGD step size.</param>
/// <param name="Records">About how many trace points each run records (evaluation time is excluded from the wall time).</param>
public sealed record RegressionConfig(
    int TrainPoints, int TestPoints, int MetricPoints, double SobolevLength, double KernelLength, double Damping,
    int NaturalIterations, int KernelIterations, int AdamIterations, double AdamLearningRate,
    int SgdSteps, int SgdBatch, double SgdLearningRate, int Records);

/// <summary>Sizes and budgets of the two-moons classification task.</summary>
/// <param name="TrainPoints">Training samples (half per moon).</param>
/// <param name="TestPoints">Test samples from the same distribution.</param>
/// <param name="MoonNoise">Standard deviation of the Gaussian noise added to each coordinate.</param>
/// <param name="SobolevLength">ℓ of the H¹/H² metrics on the logit, measured at the training inputs.</param>
/// <param name="Damping">Tikhonov damping λ of every natural-gradient solve.</param>
/// <param name="NaturalIterations">Iterations of each natural-gradient run.</param>
/// <param name="AdamIterations">Adam iterations (full batch).</param>
/// <param name="AdamLearningRate">Adam step size.</param>
/// <param name="SgdSteps">Minibatch SGD steps.</param>
/// <param name="SgdBatch">Minibatch size.</param>
/// <param name="SgdLearningRate">SGD step size.</param>
/// <param name="Records">About how many trace points each run records.</param>
public sealed record ClassificationConfig(
    int TrainPoints, int TestPoints, double MoonNoise, double SobolevLength, double Damping,
    int NaturalIterations, int AdamIterations, double AdamLearningRate,
    int SgdSteps, int SgdBatch, double SgdLearningRate, int Records);

/// <summary>The whole experiment: both tasks and the seed.</summary>
public sealed record ExperimentConfig(RegressionConfig Regression, ClassificationConfig Classification, int Seed)
{
    /// <summary>The default run (about a minute on two cores).</summary>
    public static ExperimentConfig Default(int seed) => new(
        new RegressionConfig(TrainPoints: 64, TestPoints: 401, MetricPoints: 128, SobolevLength: 0.1, KernelLength: 0.2, Damping: 1e-4,
            NaturalIterations: 120, KernelIterations: 1000, AdamIterations: 60_000, AdamLearningRate: 3e-3,
            SgdSteps: 60_000, SgdBatch: 16, SgdLearningRate: 0.1, Records: 60),
        new ClassificationConfig(TrainPoints: 200, TestPoints: 2000, MoonNoise: 0.2, SobolevLength: 0.3, Damping: 1e-4,
            NaturalIterations: 40, AdamIterations: 5000, AdamLearningRate: 1e-2, SgdSteps: 10_000, SgdBatch: 20, SgdLearningRate: 0.3, Records: 40),
        seed);

    /// <summary>The longer run (<c>--full</c>): more data and iterations.</summary>
    public static ExperimentConfig Full(int seed) => new(
        Default(seed).Regression with { TrainPoints = 128, TestPoints = 1001, MetricPoints = 256, NaturalIterations = 300, KernelIterations = 5000,
            AdamIterations = 300_000, SgdSteps = 300_000, Records = 100 },
        Default(seed).Classification with { TrainPoints = 400, TestPoints = 5000, NaturalIterations = 100, AdamIterations = 20_000, SgdSteps = 40_000, Records = 80 },
        seed);

    /// <summary>A reduced size for tests.</summary>
    public static ExperimentConfig Small(int seed) => new(
        new RegressionConfig(TrainPoints: 32, TestPoints: 101, MetricPoints: 48, SobolevLength: 0.1, KernelLength: 0.2, Damping: 1e-4,
            NaturalIterations: 15, KernelIterations: 50, AdamIterations: 300, AdamLearningRate: 1e-2, SgdSteps: 300, SgdBatch: 8, SgdLearningRate: 0.1, Records: 10),
        new ClassificationConfig(TrainPoints: 60, TestPoints: 200, MoonNoise: 0.2, SobolevLength: 0.3, Damping: 1e-4,
            NaturalIterations: 10, AdamIterations: 300, AdamLearningRate: 1e-2, SgdSteps: 300, SgdBatch: 10, SgdLearningRate: 0.3, Records: 10),
        seed);
}
