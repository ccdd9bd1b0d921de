using NGGen.Solvers;

namespace NGGen.Samples.DeepLinear;

/// <summary>Sizes of the deep matrix completion experiment.</summary>
/// <param name="Size">d: the matrix is d×d (50 or 100: the sizes the models are generated for).</param>
/// <param name="Rank">Rank of the ground truth.</param>
/// <param name="Observed">Number of observed entries (drawn uniformly without replacement).</param>
/// <param name="InitScale">Standard deviation of every layer's entries at initialisation (small: the regime of the low-rank bias).</param>
/// <param name="GdLearningRate">Gradient-descent step on ½Σ_observed (W_ij − M_ij)².</param>
/// <param name="GdIterations">Gradient-descent step limit.</param>
/// <param name="NgdLearningRate">Natural-gradient step η (flow time per step, before the cap).</param>
/// <param name="NgdIterations">Natural-gradient step limit.</param>
/// <param name="MaxRelativeStep">NGD steps are capped at this × ‖θ‖: from a small start the natural-gradient direction is huge.</param>
/// <param name="RelativeDamping">NGD damping relative to the scale of K = JJᵀ (its Rayleigh quotient at the residual).</param>
/// <param name="MaxCgIterations">CG iterations per NGD direction on the output-space system.</param>
/// <param name="StopTrainError">Both methods stop when the relative RMSE on the observed entries falls below this.</param>
public sealed record CompletionConfig(int Size, int Rank, int Observed, double InitScale, double GdLearningRate, int GdIterations,
    double NgdLearningRate, int NgdIterations, double MaxRelativeStep, double RelativeDamping, int MaxCgIterations, double StopTrainError)
{
    /// <summary>The default run: 50×50, rank 3, 1000 of 2500 entries observed.</summary>
    public static CompletionConfig Default { get; } = new(50, 3, 1000, 1e-3, 0.5, 4000, 0.5, 200, 0.1, 1e-6, 100, 1e-3);

    /// <summary>The paper-sized run: 100×100, rank 5, 3000 of 10 000 entries observed.</summary>
    public static CompletionConfig Full { get; } = new(100, 5, 3000, 1e-3, 0.5, 10000, 0.5, 200, 0.1, 1e-6, 200, 1e-4);

    /// <summary>Checks that every size is usable.</summary>
    public void Validate()
    {
        if (Size is not (50 or 100))
            throw new ArgumentOutOfRangeException(nameof(CompletionConfig), Size, "CompletionConfig.Size must be 50 or 100: the factorisation models are generated for those sizes.");
        if (Rank < 1 || Rank > Size)
            throw new ArgumentOutOfRangeException(nameof(CompletionConfig), Rank, $"CompletionConfig.Rank must lie in [1, {Size}].");
        if (Observed < 1 || Observed >= Size * Size)
            throw new ArgumentOutOfRangeException(nameof(CompletionConfig), Observed, $"CompletionConfig.Observed must lie in [1, {Size * Size - 1}] (some entries must be held out).");
        if (!(InitScale > 0) || !(GdLearningRate > 0) || !(NgdLearningRate > 0) || !(MaxRelativeStep > 0) || !(RelativeDamping > 0)
            || GdIterations < 1 || NgdIterations < 1 || MaxCgIterations < 1 || !(StopTrainError >= 0))
            throw new ArgumentOutOfRangeException(nameof(CompletionConfig), this, "Scales, rates, damping and iteration counts must be positive.");
    }
}

/// <summary>A completion problem: the rank-r truth M (row-major d×d), which entries are observed, and the model
/// inputs and targets in the column-per-sample layout of <see cref="Factorization50x1"/>.</summary>
public sealed record CompletionData(int Size, int Rank, double[] Truth, bool[] Observed, double[] Inputs, double[] Targets, double[] FullInputs)
{
    /// <summary>M = ABᵀ with A, B ∈ ℝ^{d×r} of N(0, 1) entries, scaled so that ‖M‖_F = √r (singular values about 1),
    /// and <paramref name="observed"/> entries drawn uniformly without replacement.</summary>
    public static CompletionData Create(int size, int rank, int observed, Random random)
    {
        var a = Dense.GaussianMatrix(random, size, rank, 1);
        var b = Dense.GaussianMatrix(random, size, rank, 1);
        var truth = Dense.Multiply(a, Dense.Transpose(b, size, rank), size, rank, size);
        double scale = Math.Sqrt(rank) / Dense.Norm(truth);
        for (int i = 0; i < truth.Length; i++)
            truth[i] *= scale;

        // A partial Fisher-Yates shuffle picks the observed entries.
        var order = Enumerable.Range(0, size * size).ToArray();
        for (int k = 0; k < observed; k++)
        {
            int pick = k + random.Next(order.Length - k);
            (order[k], order[pick]) = (order[pick], order[k]);
        }
        var mask = new bool[size * size];
        for (int k = 0; k < observed; k++)
            mask[order[k]] = true;
        return FromMask(size, rank, truth, mask);
    }

    /// <summary>The data for a given truth and mask (row-major, entry (i, j) at i·d + j).</summary>
    public static CompletionData FromMask(int size, int rank, double[] truth, bool[] mask)
    {
        // Feature-major with batch d: input feature f of sample (column) j at f·d + j. Features 0..d−1 are e_j,
        // features d..2d−1 the mask of column j; output i of sample j, at i·d + j, is entry (i, j): row-major W.
        var inputs = new double[2 * size * size];
        var full = new double[2 * size * size];
        var targets = new double[size * size];
        for (int j = 0; j < size; j++)
        {
            inputs[j * size + j] = 1;
            full[j * size + j] = 1;
            for (int i = 0; i < size; i++)
            {
                full[(size + i) * size + j] = 1;
                if (mask[i * size + j])
                {
                    inputs[(size + i) * size + j] = 1;
                    targets[i * size + j] = truth[i * size + j];
                }
            }
        }
        return new CompletionData(size, rank, truth, mask, inputs, targets, full);
    }

    /// <summary>Number of observed entries.</summary>
    public int ObservedCount => Observed.Count(o => o);

    /// <summary>The training problem: one squared-loss block of d columns.</summary>
    public TrainingProblem<TModel> Problem<TModel>() where TModel : IModel<TModel> =>
        new(new ResidualBlock(0, Inputs, Size, Targets));

    /// <summary>The end-to-end matrix W = W_L⋯W_1 (row-major), from the model evaluated with every entry unmasked.</summary>
    public double[] EndToEnd<TModel>(ReadOnlySpan<double> theta, double[] workspace) where TModel : IModel<TModel>
    {
        var w = new double[Size * Size];
        TModel.Forward<double>(0, theta, FullInputs, Size, w, workspace);
        return w;
    }

    /// <summary>Relative RMSE ‖P(W − M)‖/‖P(M)‖ over the observed (<paramref name="observed"/> true) or the held-out entries.</summary>
    public double RelativeError(ReadOnlySpan<double> w, bool observed)
    {
        double error = 0, reference = 0;
        for (int k = 0; k < w.Length; k++)
        {
            if (Observed[k] != observed)
                continue;
            double difference = w[k] - Truth[k];
            error += difference * difference;
            reference += Truth[k] * Truth[k];
        }
        return Math.Sqrt(error / reference);
    }
}

/// <summary>One completion run: errors sampled along the way and the final matrix's spectrum.</summary>
public sealed record CompletionRun(string Method, int Depth, int[] Iterations, double[] TestErrors, double[] TrainErrors,
    double[] SingularValues, double EffectiveRank, double TestError, double TrainError, int Steps, double Seconds, string Stop);

/// <summary>
/// Deep matrix completion (Arora et al. 2019; Kerekes, Mészáros and Huszár 2021, Section 5): gradient descent and
/// natural gradient descent on W = W_L⋯W_1 from a small initialisation, fitting the observed entries.
/// </summary>
public static class MatrixCompletion
{
    /// <summary>Every layer N(0, scale²), entries independent.</summary>
    public static double[] SmallStart<TModel>(double scale, Random random) where TModel : IModel<TModel>
    {
        var theta = new double[TModel.ParameterCount];
        for (int i = 0; i < theta.Length; i++)
            theta[i] = scale * Dense.Gaussian(random);
        return theta;
    }

    /// <summary>Gradient descent with a fixed step until the training error falls below the tolerance.</summary>
    public static CompletionRun RunGradientDescent<TModel>(CompletionData data, CompletionConfig config, int depth, int seed, Progress? progress = null)
        where TModel : IModel<TModel>
    {
        var theta = SmallStart<TModel>(config.InitScale, new Random(seed));
        var problem = data.Problem<TModel>();
        var recorder = new Recorder<TModel>(data, theta);
        double observedSquares = ObservedSquares(data);
        string stop = $"reached {config.GdIterations} iterations";
        var sampled = SeparableLogistic.LogSpacedIterations(config.GdIterations, 20);
        var options = new FirstOrderOptions
        {
            LearningRate = config.GdLearningRate,
            MaxIterations = config.GdIterations,
            GradientTolerance = 0,
            Callback = it =>
            {
                double train = Math.Sqrt(2 * it.Cost / observedSquares);
                bool done = train < config.StopTrainError;
                if (done || it.Iteration % 20 == 0 || sampled.Contains(it.Iteration))
                    recorder.Sample(it.Iteration);
                progress?.Report(() => $"GD depth {depth}: iteration {it.Iteration}, train error {train:E2}, test error {recorder.LastTest:E2}");
                if (done)
                    stop = $"train error {train:E1} < {config.StopTrainError:E0}";
                return !done;
            },
        };
        var summary = GradientDescent.Solve(problem, theta, options);
        if (summary.Termination == TerminationType.NonFiniteCost)
            stop = summary.Message;
        return recorder.Finish("GD", depth, summary.Iterations, summary.TotalSeconds, stop);
    }

    /// <summary>Which Fisher matrix natural gradient descent preconditions with.</summary>
    public enum Fisher
    {
        /// <summary>The Fisher of the model's whole output, all d² entries of W: G = J_allᵀJ_all. The natural-gradient
        /// flow is then invariant to the parameterisation (when J_all has full row rank, Ẇ = −P_Ω(W − M) whatever the
        /// depth), the setting of Kerekes et al.'s invariance argument.</summary>
        AllEntries,
        /// <summary>The Fisher (= Gauss-Newton matrix) of the loss, on the observed entries only: G = J_Ωᵀ J_Ω. The
        /// observed entries follow the same flow for every depth, the held-out ones need not.</summary>
        ObservedEntries,
    }

    /// <summary>
    /// Natural gradient descent for the squared loss, matrix-free in output space: δ = −(G + λI)⁻¹∇L with G = J_MᵀJ_M,
    /// J_M the Jacobian of the metric's outputs (all entries or the observed ones), and ∇L = J_Mᵀr̃ where r̃ is the
    /// residual on the observed entries padded with zeros (P_Ωᵀ r). By the push-through identity δ = −J_Mᵀα with
    /// (J_MJ_Mᵀ + λI)α = r̃, solved by CG with one JVP and one VJP per iteration. λ is set each step to
    /// <see cref="CompletionConfig.RelativeDamping"/>·ρ with ρ = ‖∇L‖²/‖r̃‖² (a Rayleigh quotient of J_MJ_Mᵀ), so that it
    /// stays small relative to J_MJ_Mᵀ as that grows by orders of magnitude from the small start. The step is η, capped
    /// at <see cref="CompletionConfig.MaxRelativeStep"/>·‖θ‖ (which changes the speed along the natural-gradient flow,
    /// not its path). For the observed-entries Fisher this is the direction <see cref="DualGaussNewton{TModel}"/>
    /// computes with γ = 1/λ.
    /// </summary>
    public static CompletionRun RunNaturalGradient<TModel>(CompletionData data, CompletionConfig config, int depth, int seed, Fisher fisher, Progress? progress = null)
        where TModel : IModel<TModel>
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var theta = SmallStart<TModel>(config.InitScale, new Random(seed));
        var problem = data.Problem<TModel>();
        var metric = fisher == Fisher.AllEntries ? new TrainingProblem<TModel>(new ResidualBlock(0, data.FullInputs, data.Size)) : problem;
        var recorder = new Recorder<TModel>(data, theta);
        int m = problem.ResidualCount, p = problem.ParameterCount;
        var residual = new double[m];
        var scratch = new double[m];
        var gradient = new double[p];
        var direction = new double[p];
        var solver = new OutputSpaceCg<TModel>(metric);
        double observedSquares = ObservedSquares(data);
        string stop = $"reached {config.NgdIterations} iterations";
        string method = fisher == Fisher.AllEntries ? "NGD" : "NGD (observed Fisher)";
        int step;
        for (step = 1; step <= config.NgdIterations; step++)
        {
            double cost = problem.Evaluate(theta, residual);
            double train = Math.Sqrt(2 * cost / observedSquares);
            if (train < config.StopTrainError)
            {
                stop = $"train error {train:E1} < {config.StopTrainError:E0}";
                break;
            }
            if (!double.IsFinite(cost))
            {
                stop = $"the cost became {cost}";
                break;
            }
            // The masked outputs make r̃ zero on the held-out entries, so ∇L = J_Mᵀr̃ for either metric.
            if (!ReferenceEquals(metric, problem))
                metric.Evaluate(theta, scratch);
            metric.LinearizedVjp(theta, residual, gradient, scratch, GradientWrite.Overwrite);
            double damping = config.RelativeDamping * Dense.Dot(gradient, gradient) / Dense.Dot(residual, residual);
            int cgIterations = solver.Solve(theta, residual, damping, config.MaxCgIterations, 1e-8, direction);
            double length = Dense.Norm(direction), size = Dense.Norm(theta);
            double rate = Math.Min(config.NgdLearningRate, config.MaxRelativeStep * size / length);
            for (int i = 0; i < p; i++)
                theta[i] -= rate * direction[i];
            recorder.Sample(step);
            progress?.Report(() => $"{method} depth {depth}: step {step}, train error {train:E2}, test error {recorder.LastTest:E2}, {cgIterations} CG iterations");
        }
        return recorder.Finish(method, depth, step - 1, clock.Elapsed.TotalSeconds, stop);
    }

    private static double ObservedSquares(CompletionData data)
    {
        double sum = 0;
        for (int k = 0; k < data.Truth.Length; k++)
            if (data.Observed[k])
                sum += data.Truth[k] * data.Truth[k];
        return sum;
    }

    // Samples the end-to-end matrix's errors from the θ array the solver updates in place.
    private sealed class Recorder<TModel> where TModel : IModel<TModel>
    {
        private readonly CompletionData _data;
        private readonly double[] _theta, _workspace;
        private readonly List<int> _iterations = [];
        private readonly List<double> _test = [], _train = [];

        public Recorder(CompletionData data, double[] theta)
        {
            _data = data;
            _theta = theta;
            _workspace = new double[TModel.WorkspaceLength(0, EvaluationKind.Forward, data.Size)];
            Sample(0);
        }

        public double LastTest => _test[^1];

        public void Sample(int iteration)
        {
            if (_iterations.Count > 0 && _iterations[^1] == iteration)
                return;
            var w = _data.EndToEnd<TModel>(_theta, _workspace);
            _iterations.Add(iteration);
            _test.Add(_data.RelativeError(w, observed: false));
            _train.Add(_data.RelativeError(w, observed: true));
        }

        public CompletionRun Finish(string method, int depth, int steps, double seconds, string stop)
        {
            Sample(steps);
            var w = _data.EndToEnd<TModel>(_theta, _workspace);
            var singular = Dense.SingularValues(w, _data.Size);
            return new CompletionRun(method, depth, _iterations.ToArray(), _test.ToArray(), _train.ToArray(), singular,
                Dense.EffectiveRank(singular), _test[^1], _train[^1], steps, seconds, stop);
        }
    }

    // CG on (J_MJ_Mᵀ + λI)α = r in the metric's output space, then x = J_Mᵀα. The metric must have been linearized at θ.
    private sealed class OutputSpaceCg<TModel>(TrainingProblem<TModel> metric) where TModel : IModel<TModel>
    {
        private readonly double[] _alpha = new double[metric.ResidualCount], _r = new double[metric.ResidualCount],
            _d = new double[metric.ResidualCount], _kd = new double[metric.ResidualCount], _scratch = new double[metric.ResidualCount],
            _pulled = new double[metric.ParameterCount];

        public int Solve(ReadOnlySpan<double> theta, ReadOnlySpan<double> rhs, double damping, int maxIterations, double tolerance, Span<double> x)
        {
            Array.Clear(_alpha);
            rhs.CopyTo(_r);
            rhs.CopyTo(_d);
            double rr = Dense.Dot(_r, _r), stop = tolerance * tolerance * rr;
            int k = 0;
            while (k < maxIterations && rr > stop)
            {
                metric.LinearizedVjp(theta, _d, _pulled, _scratch, GradientWrite.Overwrite);
                metric.LinearizedJvp(theta, _pulled, _kd);
                double curvature = Dense.Dot(_d, _kd) + damping * Dense.Dot(_d, _d);
                if (!(curvature > 0))
                    break;
                double a = rr / curvature;
                for (int i = 0; i < _r.Length; i++)
                {
                    _alpha[i] += a * _d[i];
                    _r[i] -= a * (_kd[i] + damping * _d[i]);
                }
                double next = Dense.Dot(_r, _r);
                for (int i = 0; i < _d.Length; i++)
                    _d[i] = _r[i] + next / rr * _d[i];
                rr = next;
                k++;
            }
            x.Clear();
            metric.LinearizedVjp(theta, _alpha, x, _scratch);
            return k;
        }
    }
}
