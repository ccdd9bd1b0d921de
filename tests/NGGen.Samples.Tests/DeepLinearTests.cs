using NGGen.Samples.DeepLinear;

namespace NGGen.Samples.Tests;

/// <summary>
/// The DeepLinear sample's core computations at reduced size, against independent references: KKT conditions of the
/// hard-margin problem, the closed-form output flow of natural gradient descent, dense matrix products written here,
/// closed-form effective ranks, and the behaviour Kerekes et al. (2021) and Arora et al. (2019) predict, with margins.
/// </summary>
public class DeepLinearTests
{
    private static readonly int[] s_depths = [1, 2, 3, 4];

    [Fact]
    public void Reference_directions_satisfy_their_defining_conditions()
    {
        var pseudoInverse = SeparableLogistic.PseudoInverseDirection();
        foreach (double margin in SeparableLogistic.Margins(pseudoInverse))
            Assert.Equal(1, margin, 1e-12);
        // X⁺y lies in the row space of X: it is a combination of the samples, so projecting onto them changes nothing.
        var rowSpace = SeparableLogistic.MinimumNormSolution(SeparableLogistic.Points.Select(x => Dense.Dot(pseudoInverse, x)).ToArray());
        for (int i = 0; i < pseudoInverse.Length; i++)
            Assert.Equal(pseudoInverse[i], rowSpace[i], 1e-12);

        // KKT of the convex hard-margin QP certify w_mm: w = Σαₛyₛxₛ (by construction), feasibility, complementary slackness.
        var (maxMargin, alpha) = SeparableLogistic.MaxMarginDirection();
        var margins = SeparableLogistic.Margins(maxMargin);
        for (int s = 0; s < SeparableLogistic.Samples; s++)
        {
            Assert.True(alpha[s] >= 0);
            Assert.True(margins[s] >= 1 - 1e-12, $"margin {s} = {margins[s]}");
            Assert.True(alpha[s] * Math.Abs(margins[s] - 1) <= 1e-12);
        }
        Assert.True(Dense.AngleDegrees(pseudoInverse, maxMargin) > 20);
    }

    [Fact]
    public void Every_depth_starts_from_the_same_end_to_end_vector()
    {
        var w0 = new[] { 0.3, -0.1, 0.2, 0.05, -0.4 };
        AssertStart<Linear1>(w0);
        AssertStart<Linear2>(w0);
        AssertStart<Linear3>(w0);
        AssertStart<Linear4>(w0);

        static void AssertStart<TModel>(double[] w0) where TModel : IModel<TModel>
        {
            var w = SeparableLogistic.EndToEnd<TModel>(SeparableLogistic.SameFunctionStart<TModel>(w0, new Random(3)));
            for (int i = 0; i < w0.Length; i++)
                Assert.Equal(w0[i], w[i], 1e-12);
        }
    }

    [Fact]
    public void Natural_gradient_outputs_follow_the_closed_form_flow_at_every_depth()
    {
        // With J of full row rank the outputs move by −ηH⁻¹g: for the logistic loss z ← z + η/σ(z) for label 1 and
        // z ← z − η/(1 − σ(z)) for label 0, whatever the depth. Depth 1 is linear in θ, so its NGD is that recursion exactly;
        // deeper nets add O(η²) per step.
        const double eta = 0.1;
        const int steps = 100;
        var w0 = SeparableLogistic.InitialVector(new Random(5), 0.1);
        var z = SeparableLogistic.Points.Select(x => Dense.Dot(w0, x)).ToArray();
        var targets = SeparableLogistic.Targets();
        var expected = new List<double[]> { (double[])z.Clone() };
        for (int k = 0; k < steps; k++)
        {
            for (int s = 0; s < z.Length; s++)
            {
                double sigma = 1 / (1 + Math.Exp(-z[s]));
                z[s] += targets[s] == 1 ? eta / sigma : -eta / (1 - sigma);
            }
            expected.Add((double[])z.Clone());
        }

        foreach (int depth in s_depths)
        {
            var run = Experiment.NaturalGradient(depth, w0, seed: 7, eta, steps);
            // Deviation relative to the largest output along the flow (the sample's measure).
            double worst = 0, scale = expected.Max(e => e.Max(Math.Abs));
            for (int k = 0; k <= steps; k++)
                for (int s = 0; s < z.Length; s++)
                    worst = Math.Max(worst, Math.Abs(run.Trajectory.Outputs[k][s] - expected[k][s]) / scale);
            Assert.True(worst <= (depth == 1 ? 1e-10 : 0.02), $"depth {depth}: relative deviation from the flow {worst:E2}");
            Assert.True(run.Trajectory.CosinePseudoInverse[^1] > 0.99, $"depth {depth}: cos(w, X⁺y) = {run.Trajectory.CosinePseudoInverse[^1]}");
        }
    }

    [Fact]
    public void Gradient_descent_outputs_depend_on_depth_and_turn_towards_the_max_margin_direction()
    {
        var w0 = SeparableLogistic.InitialVector(new Random(5), 0.1);
        var maxMargin = SeparableLogistic.MaxMarginDirection().W;
        var pseudoInverse = SeparableLogistic.PseudoInverseDirection();
        var shallow = Experiment.GradientDescent(1, w0, seed: 7, 0.1, 5_000);
        var deep = Experiment.GradientDescent(3, w0, seed: 7, 0.1, 5_000);
        Assert.True(Analysis.OutputDeviation(deep, shallow) > 0.2, $"deviation {Analysis.OutputDeviation(deep, shallow):E2}");
        foreach (var run in new[] { shallow, deep })
            Assert.True(run.AngleTo(maxMargin) < run.AngleTo(pseudoInverse), $"depth {run.Depth}: {run.AngleTo(maxMargin):F1}° to w_mm, {run.AngleTo(pseudoInverse):F1}° to X⁺y");
    }

    [Fact]
    public void Column_model_is_the_masked_product_of_the_layers()
    {
        const int d = 50;
        var random = new Random(2);
        var mask = Enumerable.Range(0, d * d).Select(_ => random.NextDouble() < 0.4).ToArray();
        var truth = Dense.GaussianMatrix(random, d, d, 1);
        var data = CompletionData.FromMask(d, 1, truth, mask);
        var theta = Dense.GaussianMatrix(random, 3, d * d, 0.2);
        var layers = Enumerable.Range(0, 3).Select(l => theta.AsSpan(l * d * d, d * d).ToArray()).ToArray();
        var product = Dense.Multiply(layers[2], Dense.Multiply(layers[1], layers[0], d, d, d), d, d, d);

        var workspace = new double[Factorization50x3.WorkspaceLength(0, EvaluationKind.Forward, d)];
        var full = data.EndToEnd<Factorization50x3>(theta, workspace);
        var masked = new double[d * d];
        Factorization50x3.Forward<double>(0, theta, data.Inputs, d, masked, workspace);
        for (int k = 0; k < d * d; k++)
        {
            Assert.Equal(product[k], full[k], 1e-12);
            Assert.Equal(mask[k] ? product[k] : 0, masked[k], 1e-12);
            Assert.Equal(mask[k] ? truth[k] : 0, data.Targets[k]);
        }
    }

    [Fact]
    public void Singular_values_and_effective_rank_match_a_constructed_matrix()
    {
        // A = Q diag(σ) Rᵀ with random orthogonal Q, R has singular values σ.
        const int n = 12;
        var random = new Random(4);
        var sigma = new double[n];
        sigma[0] = 3;
        sigma[1] = 2;
        sigma[2] = 1;
        var q = Dense.RandomOrthogonal(random, n);
        var r = Dense.RandomOrthogonal(random, n);
        var scaled = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                scaled[i * n + j] = q[i * n + j] * sigma[j];
        var a = Dense.Multiply(scaled, Dense.Transpose(r, n, n), n, n, n);
        var values = Dense.SingularValues(a, n);
        for (int k = 0; k < 3; k++)
            Assert.Equal(sigma[k], values[k], 1e-10);
        Assert.True(values[3] < 1e-6);

        // exp(H(p)) with p = (1/2, 1/3, 1/6).
        double entropy = -(0.5 * Math.Log(0.5) + Math.Log(1.0 / 3) / 3 + Math.Log(1.0 / 6) / 6);
        Assert.Equal(Math.Exp(entropy), Dense.EffectiveRank(values), 1e-6);
        Assert.Equal(4, Dense.EffectiveRank([2, 2, 2, 2, 0, 0]), 1e-12);
    }

    [Fact]
    public void Deep_gradient_descent_completes_a_low_rank_matrix_and_natural_gradient_does_not()
    {
        var config = CompletionConfig.Default with { Rank = 2, Observed = 900, GdIterations = 3_000, NgdIterations = 100, MaxCgIterations = 40, StopTrainError = 1e-3 };
        var data = CompletionData.Create(config.Size, config.Rank, config.Observed, new Random(8));

        // Depth 1 is linear: GD moves only the observed entries, so the held-out ones keep their (tiny) initial values.
        var shallow = Experiment.Completion(data, config, 1, CompletionMethod.GradientDescent, seed: 9);
        Assert.True(shallow.TestError > 0.99, $"GD depth 1 test error {shallow.TestError}");

        // Arora et al. (2019): from a small start, deep GD finds a near rank-r solution that generalises.
        var deep = Experiment.Completion(data, config, 2, CompletionMethod.GradientDescent, seed: 9);
        Assert.True(deep.TrainError < 2e-3, $"GD depth 2 train error {deep.TrainError}");
        Assert.True(deep.TestError < 0.15, $"GD depth 2 test error {deep.TestError}");
        Assert.True(Analysis.TailRatio(deep, config.Rank) < 0.05, $"σ3/σ1 = {Analysis.TailRatio(deep, config.Rank)}");

        // Kerekes et al.: with the Fisher of the whole matrix (J_all of full row rank at depth ≥ 2) the natural-gradient
        // flow is Ẇ = −P_Ω(W − M), as at depth 1: it fits the observed entries and leaves the held-out ones alone.
        var natural = Experiment.Completion(data, config, 2, CompletionMethod.NaturalGradient, seed: 9);
        Assert.True(natural.TrainError < 2e-3, $"NGD depth 2 train error {natural.TrainError}");
        Assert.True(natural.TestError > 0.95, $"NGD depth 2 test error {natural.TestError}");
        Assert.True(natural.EffectiveRank > 5 * config.Rank, $"NGD depth 2 effective rank {natural.EffectiveRank}");
    }

    [Fact]
    public void Configurations_reject_unusable_sizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => (CompletionConfig.Default with { Size = 60 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (CompletionConfig.Default with { Observed = 2500 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (LogisticConfig.Default with { NgdLearningRate = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => Experiment.NaturalGradient(5, new double[5], 0, 0.1, 1));
    }
}
