using System;
using System.Linq;
using System.Numerics.Tensors;
using NGGen.Kernels;
using NGGen.Tests.Kernels;
using NGGen.Tests.Models;

namespace NGGen.Tests.Modeling;

/// <summary>
/// <see cref="ShardedBatch{TModel, T}"/> against one whole-batch call of the generated entry points (whose
/// derivatives other tests check against finite differences) and against central differences of its own loss.
/// Runs with three kernel threads, so three shards really run in parallel and a fourth finds the workers busy.
/// </summary>
[Collection(nameof(KernelThreadsCollection))]
public sealed class ShardedBatchTests
{
    // 301 samples: shards of uneven size (100/100/101 for three, 43 for seven), none a multiple of a kernel tile.
    private const int Batch = 301;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Gradient_and_loss_match_one_whole_batch_call(int shards)
    {
        KernelThreadsTests.WithThreads(3, () =>
        {
            var (theta, x, y) = Data<WideMlp>(Batch, seed: 1);
            var sharded = new ShardedBatch<WideMlp, double>(0, x, Batch, y, shards);
            Assert.Equal(Math.Min(shards, Batch), sharded.ShardCount);
            var gradient = new double[theta.Length];
            double loss = sharded.Gradient(theta, gradient);

            var (expectedLoss, expected) = WholeBatchGradient<WideMlp>(theta, x, y, Batch);
            Assert.Equal(expectedLoss, loss, expectedLoss * 1e-13);
            AssertClose(expected, gradient, 1e-12);
        });
    }

    [Fact]
    public void Gradient_matches_central_differences_of_the_loss()
    {
        var (theta, x, y) = Data<Mlp3>(Batch, seed: 2);
        var sharded = new ShardedBatch<Mlp3, double>(0, x, Batch, y, shards: 3);
        var gradient = new double[theta.Length];
        sharded.Gradient(theta, gradient);

        var outputs = new double[2 * Batch];
        double Loss(double[] at)
        {
            sharded.Forward(at, outputs);
            TensorPrimitives.Subtract(outputs, y, outputs);
            return 0.5 * TensorPrimitives.Dot<double>(outputs, outputs);
        }

        const double h = 1e-6;
        foreach (int i in new[] { 0, 7, 47, 60, theta.Length - 1 })
        {
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[i] += h;
            minus[i] -= h;
            double difference = (Loss(plus) - Loss(minus)) / (2 * h);
            Assert.Equal(difference, gradient[i], 1e-6 * Math.Max(1, Math.Abs(difference)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Products_and_outputs_match_one_whole_batch_call(int shards)
    {
        KernelThreadsTests.WithThreads(3, () =>
        {
            var (theta, x, y) = Data<WideMlp>(Batch, seed: 3);
            var random = new Random(4);
            var v = Enumerable.Range(0, theta.Length).Select(_ => random.NextDouble() - 0.5).ToArray();
            var u = Enumerable.Range(0, 3 * Batch).Select(_ => random.NextDouble() - 0.5).ToArray();
            var sharded = new ShardedBatch<WideMlp, double>(0, x, Batch, y, shards);

            int n = 3 * Batch, p = theta.Length;
            var workspace = new double[Enum.GetValues<EvaluationKind>().Max(k => WideMlp.WorkspaceLength(0, k, Batch))];
            var linearization = new double[WideMlp.LinearizationLength(0, Batch)];
            var expectedOutputs = new double[n];
            WideMlp.Linearize<double>(0, theta, x, Batch, linearization, expectedOutputs, workspace);

            var outputs = new double[n];
            sharded.Forward(theta, outputs);
            AssertClose(expectedOutputs, outputs, 1e-13);
            Array.Clear(outputs);
            sharded.Linearize(theta, outputs);
            AssertClose(expectedOutputs, outputs, 1e-13);

            var expectedJv = new double[n];
            WideMlp.LinearizedJvp<double>(0, theta, x, Batch, linearization, v, expectedJv, workspace);
            var jv = new double[n];
            sharded.LinearizedJvp(theta, v, jv);
            AssertClose(expectedJv, jv, 1e-13);

            var expectedJtu = new double[p];
            WideMlp.LinearizedVjp<double>(0, theta, x, Batch, linearization, u, expectedJtu, workspace, GradientWrite.Overwrite);
            var jtu = Enumerable.Repeat(double.NaN, p).ToArray();
            sharded.LinearizedVjp(theta, u, jtu);
            AssertClose(expectedJtu, jtu, 1e-12);

            // Accumulate adds Jᵀu onto what the gradient held.
            var ones = Enumerable.Repeat(1.0, p).ToArray();
            sharded.LinearizedVjp(theta, u, ones, GradientWrite.Accumulate);
            AssertClose(expectedJtu.Select(g => g + 1).ToArray(), ones, 1e-12);

            var expectedGv = new double[p];
            WideMlp.LinearizedVjp<double>(0, theta, x, Batch, linearization, expectedJv, expectedGv, workspace, GradientWrite.Overwrite);
            var gv = new double[p];
            sharded.GaussNewtonProduct(theta, v, gv);
            AssertClose(expectedGv, gv, 1e-12);
        });
    }

    [Fact]
    public void Float_gradient_matches_the_double_one()
    {
        var (theta, x, y) = Data<WideMlp>(Batch, seed: 5);
        var gradient = new double[theta.Length];
        double loss = new ShardedBatch<WideMlp, double>(0, x, Batch, y, shards: 2).Gradient(theta, gradient);

        var single = new ShardedBatch<WideMlp, float>(0, x.Select(v => (float)v).ToArray(), Batch, y.Select(v => (float)v).ToArray(), shards: 2);
        var gradientSingle = new float[theta.Length];
        float lossSingle = single.Gradient(theta.Select(v => (float)v).ToArray(), gradientSingle);

        Assert.Equal(loss, lossSingle, loss * 1e-5);
        AssertClose(gradient, gradientSingle.Select(v => (double)v).ToArray(), 1e-4);
    }

    [Fact]
    public void Steady_state_calls_allocate_nothing()
    {
        KernelThreadsTests.WithThreads(2, () =>
        {
            var (theta, x, y) = Data<WideMlp>(Batch, seed: 6);
            var sharded = new ShardedBatch<WideMlp, double>(0, x, Batch, y, shards: 2);
            var gradient = new double[theta.Length];
            var product = new double[theta.Length];
            sharded.Gradient(theta, gradient);
            sharded.GaussNewtonProduct(theta, gradient, product);
            long allocated = KernelThreadsTests.LeastProcessAllocations(() =>
            {
                sharded.Gradient(theta, gradient);
                sharded.GaussNewtonProduct(theta, gradient, product);
            });
            Assert.Equal(0, allocated);
        });
    }

    [Fact]
    public void Default_shards_follow_the_threads_the_batch_and_the_parameter_size()
    {
        KernelThreadsTests.WithThreads(2, () =>
        {
            // 128 samples per shard at least; WideMlp's θ (19.7k parameters, 158 KB in double) asks for only 10 per shard.
            Assert.Equal(1, ShardedBatch<WideMlp, double>.DefaultShards(255));
            Assert.Equal(2, ShardedBatch<WideMlp, double>.DefaultShards(256));
            Assert.Equal(2, ShardedBatch<WideMlp, double>.DefaultShards(100_000));
        });
        KernelThreadsTests.WithThreads(1, () => Assert.Equal(1, ShardedBatch<WideMlp, double>.DefaultShards(100_000)));
        // All threads or none: 640 samples make five shards of 128, not enough for eight threads.
        KernelThreadsTests.WithThreads(8, () =>
        {
            Assert.Equal(1, ShardedBatch<WideMlp, double>.DefaultShards(640));
            Assert.Equal(8, ShardedBatch<WideMlp, double>.DefaultShards(1024));
        });
    }

    [Fact]
    public void Training_problem_shards_large_blocks_and_agrees_with_one_batch()
    {
        var (theta, x, y) = Data<Mlp3>(600, seed: 8);
        NGGen.Solvers.TrainingProblem<Mlp3> Build() => new(new NGGen.Solvers.ResidualBlock(0, x, 600, y, Weight: 0.5),
            new NGGen.Solvers.ResidualBlock(0, x[..30], 10, y[..20]));
        NGGen.Solvers.TrainingProblem<Mlp3>? whole = null, sharded = null;
        KernelThreadsTests.WithThreads(1, () => whole = Build());
        KernelThreadsTests.WithThreads(2, () =>
        {
            sharded = Build();
            Assert.Equal(new[] { 1, 1 }, whole!.BlockShards);
            Assert.Equal(new[] { 2, 1 }, sharded.BlockShards);

            int m = whole.ResidualCount, p = whole.ParameterCount;
            var (g1, g2) = (new double[m], new double[m]);
            double cost1 = whole.Evaluate(theta, g1), cost2 = sharded.Evaluate(theta, g2);
            Assert.Equal(cost1, cost2, cost1 * 1e-13);
            AssertClose(g1, g2, 1e-13);

            var random = new Random(9);
            var v = Enumerable.Range(0, p).Select(_ => random.NextDouble() - 0.5).ToArray();
            var (gv1, gv2, scratch) = (new double[p], new double[p], new double[m]);
            whole.GaussNewtonProduct(theta, v, gv1, scratch);
            sharded.GaussNewtonProduct(theta, v, gv2, scratch);
            AssertClose(gv1, gv2, 1e-12);

            var (j1, j2) = (new double[m * p], new double[m * p]);
            whole.JacobianColumns(theta, j1);
            sharded.JacobianColumns(theta, j2);
            AssertClose(j1, j2, 1e-13);
        });
    }

    // One sharded block of plain squared residuals takes the fused path (each shard's J·v and Jᵀ(J·v) on one thread,
    // the weight applied once); it must equal w·JᵀJv from the dense stacked Jacobian (J = √w ∂F) and the one-batch
    // problem's three-call product.
    [Fact]
    public void Training_problem_with_one_sharded_squared_block_gives_the_weighted_gauss_newton_product()
    {
        var (theta, x, y) = Data<Mlp3>(600, seed: 10);
        NGGen.Solvers.TrainingProblem<Mlp3> Build() => new(new NGGen.Solvers.ResidualBlock(0, x, 600, y, Weight: 0.3));
        NGGen.Solvers.TrainingProblem<Mlp3>? whole = null;
        KernelThreadsTests.WithThreads(1, () => whole = Build());
        KernelThreadsTests.WithThreads(2, () =>
        {
            var sharded = Build();
            Assert.Equal(new[] { 2 }, sharded.BlockShards);
            int m = sharded.ResidualCount, p = sharded.ParameterCount;
            var g = new double[m];
            whole!.Evaluate(theta, g);
            sharded.Evaluate(theta, g);
            var random = new Random(11);
            var v = Enumerable.Range(0, p).Select(_ => random.NextDouble() - 0.5).ToArray();
            var (fused, threeCalls) = (new double[p], new double[p]);
            sharded.GaussNewtonProduct(theta, v, fused, new double[m]);
            whole.GaussNewtonProduct(theta, v, threeCalls, new double[m]);

            var columns = new double[m * p];
            whole.JacobianColumns(theta, columns);
            var jv = new double[m];
            for (int j = 0; j < p; j++)
                for (int i = 0; i < m; i++)
                    jv[i] += columns[(j * m) + i] * v[j];
            var dense = new double[p];
            for (int j = 0; j < p; j++)
                for (int i = 0; i < m; i++)
                    dense[j] += columns[(j * m) + i] * jv[i];

            AssertClose(dense, fused, 1e-12);
            AssertClose(threeCalls, fused, 1e-12);
        });
    }

    [Fact]
    public void Bad_sizes_name_the_argument()
    {
        var (theta, x, y) = Data<Mlp3>(10, seed: 7);
        Assert.Contains("expected 3 × 11", Assert.Throws<ArgumentException>(() => new ShardedBatch<Mlp3, double>(0, x, 11)).Message);
        Assert.Contains("targets", Assert.Throws<ArgumentException>(() => new ShardedBatch<Mlp3, double>(0, x, 10, y.AsSpan(1))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardedBatch<Mlp3, double>(1, x, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardedBatch<Mlp3, double>(0, x, 10, shards: -1));

        var sharded = new ShardedBatch<Mlp3, double>(0, x, 10, y);
        var error = Assert.Throws<ArgumentException>(() => sharded.Gradient(theta.AsSpan(1), new double[theta.Length]));
        Assert.Equal("theta", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => sharded.Forward(theta, new double[19]));
        Assert.Equal("outputs", error.ParamName);
    }

    private static (double[] Theta, double[] X, double[] Y) Data<TModel>(int batch, int seed)
        where TModel : IModel<TModel>
    {
        var info = TModel.Functions[0];
        var random = new Random(seed);
        var theta = new double[TModel.ParameterCount];
        TModel.InitializeParameters<double>(theta, (ulong)seed);
        var x = Enumerable.Range(0, info.InputSize * batch).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var y = Enumerable.Range(0, info.OutputSize * batch).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        return (theta, x, y);
    }

    private static (double Loss, double[] Gradient) WholeBatchGradient<TModel>(double[] theta, double[] x, double[] y, int batch)
        where TModel : IModel<TModel>
    {
        var workspace = new double[Enum.GetValues<EvaluationKind>().Max(k => TModel.WorkspaceLength(0, k, batch))];
        var linearization = new double[TModel.LinearizationLength(0, batch)];
        var residual = new double[y.Length];
        var gradient = new double[theta.Length];
        TModel.Linearize<double>(0, theta, x, batch, linearization, residual, workspace);
        TensorPrimitives.Subtract(residual, y, residual);
        TModel.LinearizedVjp<double>(0, theta, x, batch, linearization, residual, gradient, workspace, GradientWrite.Overwrite);
        return (0.5 * TensorPrimitives.Dot<double>(residual, residual), gradient);
    }

    // Each entry within `relative` of the largest expected magnitude (sums over samples cancel, so entries near zero
    // carry the rounding of the large terms they came from).
    private static void AssertClose(double[] expected, double[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 0);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"entry {i}: expected {expected[i]}, got {actual[i]}");
    }
}
