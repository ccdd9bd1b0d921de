using NGGen.Solvers;

namespace NGGen.Samples.SobolevRegression;

/// <summary>Figures of a classifier.</summary>
/// <param name="TrainLoss">Mean logistic cross-entropy on the training set.</param>
/// <param name="TestLoss">Mean logistic cross-entropy on the test set.</param>
/// <param name="TrainAccuracy">Fraction of training samples on the right side of z = 0.</param>
/// <param name="TestAccuracy">Fraction of test samples on the right side of z = 0.</param>
public sealed record ClassificationMetrics(double TrainLoss, double TestLoss, double TrainAccuracy, double TestAccuracy);

/// <summary>The classification results: every run, and the data sets.</summary>
public sealed record ClassificationResult(IReadOnlyList<MethodRun<ClassificationMetrics>> Runs, Dataset Train, Dataset Test);

/// <summary>Evaluates a <see cref="MoonsNet"/> on a training and a test set.</summary>
public sealed class ClassificationEvaluator
{
    private readonly Dataset _train, _test;
    private readonly double[] _trainLogits, _testLogits, _workspace;

    /// <summary>Prepares buffers.</summary>
    public ClassificationEvaluator(Dataset train, Dataset test)
    {
        _train = train;
        _test = test;
        _trainLogits = new double[train.Count];
        _testLogits = new double[test.Count];
        _workspace = new double[Math.Max(MoonsNet.WorkspaceLength(MoonsNet.LogitFunction, EvaluationKind.Forward, train.Count),
            MoonsNet.WorkspaceLength(MoonsNet.LogitFunction, EvaluationKind.Forward, test.Count))];
    }

    /// <summary>The figures at θ.</summary>
    public ClassificationMetrics Evaluate(double[] theta)
    {
        MoonsNet.Forward<double>(MoonsNet.LogitFunction, theta, _train.Inputs, _train.Count, _trainLogits, _workspace);
        MoonsNet.Forward<double>(MoonsNet.LogitFunction, theta, _test.Inputs, _test.Count, _testLogits, _workspace);
        var (trainLoss, trainAccuracy) = Score(_trainLogits, _train.Targets);
        var (testLoss, testAccuracy) = Score(_testLogits, _test.Targets);
        return new ClassificationMetrics(trainLoss, testLoss, trainAccuracy, testAccuracy);
    }

    /// <summary>Mean cross-entropy softplus(z) − y·z and accuracy of logits against 0/1 labels.</summary>
    public static (double Loss, double Accuracy) Score(double[] logits, double[] labels)
    {
        double loss = 0;
        int right = 0;
        for (int s = 0; s < logits.Length; s++)
        {
            double z = logits[s];
            // softplus(z) − y·z, as (1 − y)·z + softplus(−z) for z > 0 so confident right answers keep their digits.
            loss += z > 0 ? ((1 - labels[s]) * z) + Ops.Softplus(-z) : Ops.Softplus(z) - (labels[s] * z);
            if ((z > 0) == (labels[s] > 0.5))
                right++;
        }
        return (loss / logits.Length, (double)right / logits.Length);
    }
}

/// <summary>
/// The classification experiment: two moons with <see cref="MoonsNet"/> and the logistic loss, by the Fisher natural
/// gradient, the derivative-form Sobolev natural gradient of the logit (s = 0, 1, 2, measured at the training inputs),
/// Adam and minibatch SGD. The kernel form is not run: <see cref="KernelNaturalGradient{TModel}"/> takes squared-loss
/// problems only.
/// </summary>
public static class ClassificationExperiment
{
    /// <summary>‖δz‖²_{H^s} at the samples: values with weight 1/n, ∇z with ℓ²/n (s ≥ 1), the Hessian ∇²z with ℓ⁴/n (s = 2).</summary>
    public static TrainingProblem<MoonsNet> SobolevMetricProblem(int s, Dataset samples, double length)
    {
        if (s is < 0 or > 2)
            throw new ArgumentOutOfRangeException(nameof(s), s, "The derivative form is built for s = 0, 1, 2.");
        if (!(length > 0) || double.IsInfinity(length))
            throw new ArgumentOutOfRangeException(nameof(length), length, "The Sobolev length ℓ must be positive and finite.");
        int n = samples.Count;
        var blocks = new List<ResidualBlock> { new(MoonsNet.LogitFunction, samples.Inputs, n, Weight: 1.0 / n) };
        if (s >= 1)
            blocks.Add(new ResidualBlock(MoonsNet.GradLogitFunction, samples.Inputs, n, Weight: length * length / n));
        if (s == 2)
            blocks.Add(new ResidualBlock(MoonsNet.HessianLogitFunction, samples.Inputs, n, Weight: Math.Pow(length, 4) / n));
        return new TrainingProblem<MoonsNet>(blocks.ToArray());
    }

    /// <summary>Runs every optimizer on the two-moons task.</summary>
    public static ClassificationResult Run(ClassificationConfig config, int seed)
    {
        var train = DataSets.Moons(config.TrainPoints, config.MoonNoise, seed);
        var test = DataSets.Moons(config.TestPoints, config.MoonNoise, seed + 1_000_003);
        var evaluator = new ClassificationEvaluator(train, test);
        var loss = new TrainingProblem<MoonsNet>(new ResidualBlock(MoonsNet.LogitFunction, train.Inputs, train.Count, train.Targets,
            Weight: 1.0 / train.Count, OutputLoss: OutputLoss.Logistic));
        var initial = new double[MoonsNet.ParameterCount];
        MoonsNet.InitializeParameters<double>(initial, (ulong)seed);
        Func<double[], ClassificationMetrics> evaluate = evaluator.Evaluate;
        static string Describe(ClassificationMetrics m) => $"train loss {m.TrainLoss:E2}, test loss {m.TestLoss:E2}, test accuracy {m.TestAccuracy:P1}";

        var runs = new List<MethodRun<ClassificationMetrics>>();
        void Add(MethodRun<ClassificationMetrics> run)
        {
            runs.Add(run);
            Console.WriteLine($"  {run.Method,-34} {run.Final.Seconds,6:F1} s  {Describe(run.Final.Metrics)}");
        }
        Add(Training.Natural("NG Fisher (logistic GGN)", loss, null, config.Damping, initial, config.NaturalIterations, config.Records, evaluate, Describe));
        for (int s = 0; s <= 2; s++)
            Add(Training.Natural($"Sobolev NG derivative s={s}", loss, SobolevMetricProblem(s, train, config.SobolevLength), config.Damping, initial,
                config.NaturalIterations, config.Records, evaluate, Describe));
        Add(Training.Adam("Adam (full batch)", loss, initial, config.AdamIterations, config.AdamLearningRate, config.Records, evaluate, Describe));
        Add(Training.Sgd<MoonsNet, ClassificationMetrics>($"SGD (minibatch {config.SgdBatch})", MoonsNet.LogitFunction, train, 2, OutputLoss.Logistic,
            config.SgdBatch, config.SgdLearningRate, config.SgdSteps, initial, config.Records, evaluate, Describe));
        return new ClassificationResult(runs, train, test);
    }
}
