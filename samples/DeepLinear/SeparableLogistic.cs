using NGGen.Solvers;

namespace NGGen.Samples.DeepLinear;

/// <summary>Sizes of the separable logistic regression experiment.</summary>
/// <param name="NgdLearningRate">Natural-gradient step η; the flow time after k steps is ηk.</param>
/// <param name="NgdIterations">Natural-gradient steps at η (the half-step run takes twice as many).</param>
/// <param name="GdLearningRate">Gradient-descent step.</param>
/// <param name="GdIterations">Gradient-descent steps.</param>
/// <param name="InitScale">Standard deviation of the entries of the common initial end-to-end vector w₀.</param>
public sealed record LogisticConfig(double NgdLearningRate, int NgdIterations, double GdLearningRate, int GdIterations, double InitScale)
{
    /// <summary>The default run (a few seconds).</summary>
    public static LogisticConfig Default { get; } = new(0.1, 400, 0.1, 100_000, 0.1);

    /// <summary>The longer run: NGD at half the step over the same flow time, ten times more GD steps.</summary>
    public static LogisticConfig Full { get; } = new(0.05, 800, 0.1, 1_000_000, 0.1);

    /// <summary>Checks that every size is usable.</summary>
    public void Validate()
    {
        if (!(NgdLearningRate > 0) || !(GdLearningRate > 0) || NgdIterations < 1 || GdIterations < 1 || !(InitScale > 0))
            throw new ArgumentOutOfRangeException(nameof(LogisticConfig), this, "Learning rates, iteration counts and the init scale must be positive.");
    }
}

/// <summary>One run's record: the iterations at which it was sampled, the flow time there, the outputs f(xᵢ) and
/// the end-to-end direction's cosines to X⁺y and to the max-margin direction.</summary>
public sealed record LogisticTrajectory(int[] Iterations, double[] Times, double[][] Outputs, double[] CosinePseudoInverse, double[] CosineMaxMargin);

/// <summary>One training run on the separable data set.</summary>
public sealed record LogisticRun(string Method, int Depth, double LearningRate, LogisticTrajectory Trajectory, double[] FinalW, SolverSummary Summary)
{
    /// <summary>Angle in degrees between the final end-to-end vector and <paramref name="direction"/>.</summary>
    public double AngleTo(double[] direction) => Dense.AngleDegrees(FinalW, direction);
}

/// <summary>
/// Kerekes, Mészáros and Huszár (2021), separable logistic regression with fewer samples (3) than inputs (5):
/// the data set, the two reference directions computed independently of any solver (the minimum-norm
/// interpolant X⁺y and the hard-margin SVM direction w_mm), and the runs of natural gradient descent and
/// gradient descent on deep linear networks of depth 1–4 from the same initial function.
/// </summary>
public static class SeparableLogistic
{
    /// <summary>Input dimension and number of samples.</summary>
    public const int Dimension = 5, Samples = 3;

    /// <summary>Rows are samples. Sample 2 lies well beyond the max-margin boundary (margin ≈ 1.94 at w_mm), so w_mm
    /// ignores it while X⁺y gives it margin 1 like the others: the two directions are 28° apart.</summary>
    public static readonly double[][] Points =
    [
        [1.0, 0.3, 0.0, 0.2, 0.0],
        [2.0, 1.5, 0.5, 0.0, 0.3],
        [-1.0, 0.5, 0.3, 0.0, -0.2],
    ];

    /// <summary>Labels ±1.</summary>
    public static readonly double[] Labels = [1, 1, -1];

    /// <summary>Feature-major inputs: entry i of sample s at i·batch + s.</summary>
    public static double[] Inputs()
    {
        var inputs = new double[Dimension * Samples];
        for (int s = 0; s < Samples; s++)
            for (int i = 0; i < Dimension; i++)
                inputs[i * Samples + s] = Points[s][i];
        return inputs;
    }

    /// <summary>Logistic targets (1 + y)/2 ∈ {0, 1}.</summary>
    public static double[] Targets() => Labels.Select(y => (1 + y) / 2).ToArray();

    /// <summary>Σₛ cₛ xₛ.</summary>
    public static double[] Combine(ReadOnlySpan<double> coefficients)
    {
        var w = new double[Dimension];
        for (int s = 0; s < Samples; s++)
            for (int i = 0; i < Dimension; i++)
                w[i] += coefficients[s] * Points[s][i];
        return w;
    }

    /// <summary>Margins yₛ wᵀxₛ.</summary>
    public static double[] Margins(ReadOnlySpan<double> w)
    {
        var margins = new double[Samples];
        for (int s = 0; s < Samples; s++)
            margins[s] = Labels[s] * Dense.Dot(w, Points[s]);
        return margins;
    }

    /// <summary>X⁺v = Xᵀ(XXᵀ)⁻¹v by Gauss-Jordan elimination with partial pivoting on the 3×3 Gram matrix.</summary>
    public static double[] MinimumNormSolution(ReadOnlySpan<double> values)
    {
        var gram = new double[Samples, Samples + 1];
        for (int a = 0; a < Samples; a++)
        {
            for (int b = 0; b < Samples; b++)
                gram[a, b] = Dense.Dot(Points[a], Points[b]);
            gram[a, Samples] = values[a];
        }
        for (int col = 0; col < Samples; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < Samples; r++)
                if (Math.Abs(gram[r, col]) > Math.Abs(gram[pivot, col]))
                    pivot = r;
            for (int k = 0; k <= Samples; k++)
                (gram[col, k], gram[pivot, k]) = (gram[pivot, k], gram[col, k]);
            for (int r = 0; r < Samples; r++)
            {
                if (r == col)
                    continue;
                double factor = gram[r, col] / gram[col, col];
                for (int k = col; k <= Samples; k++)
                    gram[r, k] -= factor * gram[col, k];
            }
        }
        var coefficients = new double[Samples];
        for (int a = 0; a < Samples; a++)
            coefficients[a] = gram[a, Samples] / gram[a, a];
        return Combine(coefficients);
    }

    /// <summary>The minimum-norm interpolant X⁺y (every margin exactly 1).</summary>
    public static double[] PseudoInverseDirection() => MinimumNormSolution(Labels);

    /// <summary>w_mm = argmin ½‖w‖² s.t. yₛwᵀxₛ ≥ 1, through its dual max Σα − ½‖Σαₛyₛxₛ‖², α ≥ 0, by exact coordinate
    /// ascent (each coordinate maximised in closed form and clipped at 0) until no coordinate moves by 1e-15.</summary>
    public static (double[] W, double[] Alpha) MaxMarginDirection()
    {
        var q = new double[Samples, Samples];
        for (int a = 0; a < Samples; a++)
            for (int b = 0; b < Samples; b++)
                q[a, b] = Labels[a] * Labels[b] * Dense.Dot(Points[a], Points[b]);
        var alpha = new double[Samples];
        for (int sweep = 0; sweep < 1_000_000; sweep++)
        {
            double largestChange = 0;
            for (int a = 0; a < Samples; a++)
            {
                double slack = 1;
                for (int b = 0; b < Samples; b++)
                    slack -= q[a, b] * alpha[b];
                double updated = Math.Max(0, alpha[a] + slack / q[a, a]);
                largestChange = Math.Max(largestChange, Math.Abs(updated - alpha[a]));
                alpha[a] = updated;
            }
            if (largestChange <= 1e-15)
                break;
        }
        var signed = new double[Samples];
        for (int s = 0; s < Samples; s++)
            signed[s] = alpha[s] * Labels[s];
        return (Combine(signed), alpha);
    }

    /// <summary>The training problem: one logistic block over the three samples.</summary>
    public static TrainingProblem<TModel> Problem<TModel>() where TModel : IModel<TModel> =>
        new(new ResidualBlock(0, Inputs(), Samples, Targets(), OutputLoss: OutputLoss.Logistic));

    /// <summary>w = W_L⋯W_1 as the model's outputs on the basis vectors e₁…e₅ (the feature-major identity).</summary>
    public static double[] EndToEnd<TModel>(ReadOnlySpan<double> theta) where TModel : IModel<TModel>
    {
        var identity = new double[Dimension * Dimension];
        for (int i = 0; i < Dimension; i++)
            identity[i * Dimension + i] = 1;
        var w = new double[Dimension];
        var workspace = new double[TModel.WorkspaceLength(0, EvaluationKind.Forward, Dimension)];
        TModel.Forward<double>(0, theta, identity, Dimension, w, workspace);
        return w;
    }

    /// <summary>
    /// Parameters whose end-to-end vector is exactly <paramref name="w0"/> whatever the depth, so that every depth
    /// starts from the same function: hidden layers W₁…W_{L−1} are random orthogonal matrices (product P) and the
    /// last layer is w₀Pᵀ, so that w₀PᵀP = w₀. Layers are read row-major from the model's parameter layout.
    /// </summary>
    public static double[] SameFunctionStart<TModel>(double[] w0, Random random) where TModel : IModel<TModel>
    {
        var theta = new double[TModel.ParameterCount];
        var layers = TModel.Parameters;
        var product = Identity(Dimension);
        for (int l = 0; l < layers.Count - 1; l++)
        {
            if (layers[l].Shape is not [Dimension, Dimension])
                throw new InvalidOperationException($"{TModel.Name}.{layers[l].Name} should be {Dimension}×{Dimension}.");
            var q = Dense.RandomOrthogonal(random, Dimension);
            q.CopyTo(theta, layers[l].Offset);
            product = Dense.Multiply(q, product, Dimension, Dimension, Dimension);
        }
        var last = layers[^1];
        if (last.Shape is not [1, Dimension])
            throw new InvalidOperationException($"{TModel.Name}.{last.Name} should be 1×{Dimension}.");
        // (w₀Pᵀ)_j = Σᵢ w₀ᵢ P_ji.
        for (int j = 0; j < Dimension; j++)
            theta[last.Offset + j] = Dense.Dot(w0, product.AsSpan(j * Dimension, Dimension));
        return theta;
    }

    /// <summary>The common initial end-to-end vector: N(0, scale²) entries.</summary>
    public static double[] InitialVector(Random random, double scale)
    {
        var w0 = new double[Dimension];
        for (int i = 0; i < Dimension; i++)
            w0[i] = scale * Dense.Gaussian(random);
        return w0;
    }

    /// <summary>Natural gradient descent (Fisher = GGN metric, pseudo-inverse, fixed step η, no cap), sampled at every step.</summary>
    public static LogisticRun RunNaturalGradient<TModel>(int depth, double[] w0, int seed, double learningRate, int iterations, Progress? progress = null)
        where TModel : IModel<TModel>
    {
        var theta = SameFunctionStart<TModel>(w0, new Random(seed));
        var recorder = new Recorder<TModel>(theta, learningRate, _ => true);
        var options = new NaturalGradientOptions
        {
            LearningRate = learningRate,
            MaxIterations = iterations,
            GradientTolerance = 0,
            Callback = it =>
            {
                progress?.Report(() => $"NGD depth {depth} (η = {learningRate}): iteration {it.Iteration} of {iterations}, loss {it.Cost:E3}");
                return recorder.Record(it);
            },
        };
        var summary = new NaturalGradient<TModel>(Problem<TModel>(), options).Solve(theta);
        return new LogisticRun("NGD", depth, learningRate, recorder.Finish(), EndToEnd<TModel>(theta), summary);
    }

    /// <summary>Gradient descent with a fixed step, sampled at about 20 log-spaced iterations per decade.</summary>
    public static LogisticRun RunGradientDescent<TModel>(int depth, double[] w0, int seed, double learningRate, int iterations, Progress? progress = null)
        where TModel : IModel<TModel>
    {
        var theta = SameFunctionStart<TModel>(w0, new Random(seed));
        var samples = LogSpacedIterations(iterations, 20);
        var recorder = new Recorder<TModel>(theta, learningRate, samples.Contains);
        var options = new FirstOrderOptions
        {
            LearningRate = learningRate,
            MaxIterations = iterations,
            GradientTolerance = 0,
            Callback = it =>
            {
                progress?.Report(() => $"GD depth {depth}: iteration {it.Iteration:N0} of {iterations:N0}, loss {it.Cost:E3}");
                return recorder.Record(it);
            },
        };
        var summary = GradientDescent.Solve(Problem<TModel>(), theta, options);
        return new LogisticRun("GD", depth, learningRate, recorder.Finish(), EndToEnd<TModel>(theta), summary);
    }

    /// <summary>1, then about <paramref name="perDecade"/> distinct integers per decade up to <paramref name="last"/> (included).</summary>
    public static HashSet<int> LogSpacedIterations(int last, int perDecade)
    {
        var set = new HashSet<int> { last };
        for (int k = 0; ; k++)
        {
            int value = (int)Math.Round(Math.Pow(10, k / (double)perDecade));
            if (value > last)
                break;
            set.Add(value);
        }
        return set;
    }

    private static double[] Identity(int n)
    {
        var identity = new double[n * n];
        for (int i = 0; i < n; i++)
            identity[i * n + i] = 1;
        return identity;
    }

    // Samples the end-to-end vector and outputs from the θ array the solver updates in place.
    private sealed class Recorder<TModel> where TModel : IModel<TModel>
    {
        private readonly double[] _theta, _pseudoInverse, _maxMargin;
        private readonly double _learningRate;
        private readonly Func<int, bool> _sampleAt;
        private readonly List<int> _iterations = [];
        private readonly List<double[]> _outputs = [];
        private readonly List<double> _cosPseudoInverse = [], _cosMaxMargin = [];

        public Recorder(double[] theta, double learningRate, Func<int, bool> sampleAt)
        {
            _theta = theta;
            _learningRate = learningRate;
            _sampleAt = sampleAt;
            _pseudoInverse = PseudoInverseDirection();
            _maxMargin = MaxMarginDirection().W;
            Sample(0);
        }

        public bool Record(IterationSummary iteration)
        {
            if (_sampleAt(iteration.Iteration))
                Sample(iteration.Iteration);
            return true;
        }

        private void Sample(int iteration)
        {
            var w = EndToEnd<TModel>(_theta);
            _iterations.Add(iteration);
            var outputs = new double[Samples];
            for (int s = 0; s < Samples; s++)
                outputs[s] = Dense.Dot(w, Points[s]);
            _outputs.Add(outputs);
            _cosPseudoInverse.Add(Dense.Cosine(w, _pseudoInverse));
            _cosMaxMargin.Add(Dense.Cosine(w, _maxMargin));
        }

        public LogisticTrajectory Finish() => new(_iterations.ToArray(), _iterations.Select(k => k * _learningRate).ToArray(),
            _outputs.ToArray(), _cosPseudoInverse.ToArray(), _cosMaxMargin.ToArray());
    }
}
