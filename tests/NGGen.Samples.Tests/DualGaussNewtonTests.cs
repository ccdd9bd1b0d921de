using NGGen.Samples.DualGaussNewton;
using NGGen.Solvers;
using Xunit.Abstractions;

namespace NGGen.Samples.Tests;

public class DualGaussNewtonTests(ITestOutputHelper output)
{
    // Mlp16 (586 parameters) on 4 samples: m = 40 outputs, small enough for a dense p×p solve in the test.
    private const int Batch = 4;
    private const double Gamma = 1;

    [Theory]
    [InlineData(LossKind.Squared)]
    [InlineData(LossKind.SoftmaxCrossEntropy)]
    public void Primal_and_dual_directions_equal_the_dense_regularised_gauss_newton_direction(LossKind loss)
    {
        var problem = Problems.Create<Mlp16>(loss, Batch, seed: 3);
        var theta = Problems.InitialParameters<Mlp16>(3);
        var (jacobian, g, h) = DenseModel(problem, theta, loss);
        int m = problem.ResidualCount, p = problem.ParameterCount;

        // (JᵀHJ + I/γ)v = −Jᵀg, assembled and solved densely.
        var hj = Multiply(h, jacobian, m, m, p);
        var a = new double[p * p];
        for (int i = 0; i < p; i++)
            for (int j = i; j < p; j++)
            {
                double sum = 0;
                for (int k = 0; k < m; k++)
                    sum += jacobian[k * p + i] * hj[k * p + j];
                a[i * p + j] = a[j * p + i] = sum;
            }
        for (int i = 0; i < p; i++)
            a[i * p + i] += 1 / Gamma;
        var b = new double[p];
        for (int i = 0; i < p; i++)
            for (int k = 0; k < m; k++)
                b[i] -= jacobian[k * p + i] * g[k];
        var expected = Solve(a, b, p);

        var primal = new double[p];
        var primalOracle = new PrimalGaussNewton<Mlp16>(problem, Gamma, maxCgIterations: 2000, relativeTolerance: 1e-13);
        primalOracle.Direction(theta, primal);
        var dual = new double[p];
        var dualOracle = new NGGen.Solvers.DualGaussNewton<Mlp16>(problem, new DualGaussNewtonOptions { Gamma = Gamma, MaxCgIterations = 2000, RelativeTolerance = 1e-13, DescentSafeguard = false });
        dualOracle.Direction(theta, dual);

        double primalError = RelativeDifference(primal, expected), dualError = RelativeDifference(dual, expected);
        output.WriteLine($"{loss}: primal {primalError:E2} ({primalOracle.LastIterations} CG), dual {dualError:E2} ({dualOracle.LastIterations} CG)");
        // CG to 1e-13 on systems with condition number ≲ 1e3 leaves errors near 1e-10; 1e-7 leaves margin for rounding.
        Assert.True(primalError < 1e-7, $"primal direction off the dense solve by {primalError:E2}");
        Assert.True(dualError < 1e-7, $"dual direction off the dense solve by {dualError:E2}");
    }

    [Theory]
    [InlineData(LossKind.Squared)]
    [InlineData(LossKind.SoftmaxCrossEntropy)]
    public void Truncated_dual_directions_descend_after_every_cg_step(LossKind loss)
    {
        var problem = Problems.Create<Mlp16>(loss, Batch, seed: 5);
        var theta = Problems.InitialParameters<Mlp16>(5);
        var (jacobian, g, _) = DenseModel(problem, theta, loss);
        int m = problem.ResidualCount, p = problem.ParameterCount;
        var gradient = new double[p];
        for (int i = 0; i < p; i++)
            for (int k = 0; k < m; k++)
                gradient[i] += jacobian[k * p + i] * g[k];
        var direction = new double[p];
        for (int k = 1; k <= 8; k++)
        {
            // γ = 100 makes the dual system ill-conditioned, where unpreconditioned iterates can ascend for softmax.
            var oracle = new NGGen.Solvers.DualGaussNewton<Mlp16>(problem, new DualGaussNewtonOptions { Gamma = 100, MaxCgIterations = k, RelativeTolerance = 0, DescentSafeguard = false });
            oracle.Direction(theta, direction);
            double slope = Dot(gradient, direction);
            Assert.True(slope < 0, $"{loss}: after {k} CG steps ∇Lᵀv = {slope:E3}");
        }
    }

    [Fact]
    public void Crossover_is_log_interpolated_between_the_cells_around_equal_cost()
    {
        // Ratios 2 at m/p = 0.01 and 0.5 at m/p = 1: log ratio falls linearly in log(m/p) through 0 at 10^−1.
        TimingCell Cell(int outputs, double primal, double dual) =>
            new(LossKind.Squared, 16, 1000, outputs / 10, outputs, primal, dual, primal, dual, 1, -1, 0, 1, 1);
        var cells = new[] { Cell(10, 2e-3, 1e-3), Cell(1000, 0.5e-3, 1e-3), Cell(4000, 0.4e-3, 1e-3) };
        var crossover = Assert.Single(Analysis.Crossovers(cells));
        Assert.Equal(0.1, crossover.OutputsPerParameter, 12);

        var never = Assert.Single(Analysis.Crossovers([Cell(10, 2e-3, 1e-3), Cell(100, 3e-3, 1e-3)]));
        Assert.True(double.IsNaN(never.OutputsPerParameter));
    }

    [Fact]
    public void Scaling_fit_recovers_the_exponents_of_a_power_law()
    {
        // t = 3e-9 · m^0.7 · p^1.2 exactly.
        var cells = new List<TimingCell>();
        foreach (int outputs in new[] { 80, 320, 1280 })
            foreach (int parameters in new[] { 586, 1674, 5386 })
            {
                double t = 3e-9 * Math.Pow(outputs, 0.7) * Math.Pow(parameters, 1.2);
                cells.Add(new TimingCell(LossKind.Squared, 16, parameters, outputs / 10, outputs, t, 2 * t, t, 2 * t, 1, -1, 0, 1, 1));
            }
        var fit = Analysis.Fit(cells, c => c.PrimalSeconds);
        Assert.Equal(0.7, fit.OutputExponent, 10);
        Assert.Equal(1.2, fit.ParameterExponent, 10);
    }

    [Fact]
    public void Mini_batches_partition_the_full_mean_loss()
    {
        const int samples = 48, batch = 16;
        var x = Problems.Inputs(samples, 9);
        var y = Problems.OneHot(Problems.Teacher(x, samples, 9), samples);
        var theta = Problems.InitialParameters<Mlp16>(9);
        var full = new TrainingProblem<Mlp16>(new ResidualBlock(0, x, samples, y, 1.0 / samples, OutputLoss: OutputLoss.SoftmaxCrossEntropy));
        double expected = full.CostAt(theta, new double[full.ResidualCount]);
        double mean = 0;
        for (int k = 0; k < samples / batch; k++)
        {
            var part = Problems.MiniBatch<Mlp16>(x, y, samples, batch, k);
            mean += part.CostAt(theta, new double[part.ResidualCount]) / (samples / batch);
        }
        // Equal means of equal-sized parts average to the full mean.
        Assert.Equal(expected, mean, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Problems.MiniBatch<Mlp16>(x, y, samples, batch, 3));
    }

    [Fact]
    public void Training_runs_start_from_the_full_data_loss_and_record_every_method()
    {
        var config = new TrainingConfig(Width: 16, Samples: 64, MiniBatch: 16, Iterations: 20, CgIterations: 5, Gamma: 10, RecordEvery: 5,
            MomentumRates: [0.03], AdamRates: [1e-2], DualMomentumRates: [0.03], DualAdamRates: [1e-2]);
        var result = Training.Run(config, seed: 2, TextWriter.Null);

        // The initial loss, from the same data written out here.
        var x = Problems.Inputs(64, 3);
        var y = Problems.OneHot(Problems.Teacher(x, 64, 3), 64);
        var full = new TrainingProblem<Mlp16>(new ResidualBlock(0, x, 64, y, 1.0 / 64, OutputLoss: OutputLoss.SoftmaxCrossEntropy));
        double initial = full.CostAt(Problems.InitialParameters<Mlp16>(2), new double[full.ResidualCount]);

        Assert.Equal(4, result.Runs.Count);
        foreach (string method in TrainingResult.Methods)
        {
            var run = Assert.Single(result.Runs, r => r.Method == method);
            Assert.Equal(initial, run.Loss[0], 12);
            Assert.All(run.Loss, l => Assert.True(double.IsFinite(l)));
            Assert.True(run.FinalLoss < initial, $"{method}: {run.Loss[0]} → {run.FinalLoss}");
            if (method.EndsWith("dual GN", StringComparison.Ordinal))
                Assert.Equal([0, 1, 5, 10, 15, 20], run.Iterations);
        }
    }

    [Fact]
    public void Bad_configurations_are_refused_with_the_offending_value()
    {
        var width = Assert.Throws<ArgumentException>(() => (ExperimentConfig.Default with { Widths = [48] }).Validate());
        Assert.Contains("48", width.Message);
        var split = Assert.Throws<ArgumentException>(() => (TrainingConfig.Default with { MiniBatch = 30 }).Validate());
        Assert.Contains("30", split.Message);
    }

    // The dense Jacobian (library), and the output gradient g and curvature H written here from the outputs: for the
    // squared loss g = r and H = I; for softmax with stacked outputs r = √w·z, g = √w(p − y) and H = diag(p) − ppᵀ per sample.
    private static (double[] Jacobian, double[] G, double[] H) DenseModel(TrainingProblem<Mlp16> problem, double[] theta, LossKind loss)
    {
        int m = problem.ResidualCount, p = problem.ParameterCount;
        var jacobian = new double[m * p];
        problem.Jacobian(theta, jacobian);
        var r = new double[m];
        problem.Residuals(theta, r);
        var h = new double[m * m];
        var block = problem.Blocks[0];
        if (loss == LossKind.Squared)
        {
            for (int i = 0; i < m; i++)
                h[i * m + i] = 1;
            return (jacobian, r, h);
        }
        double root = Math.Sqrt(block.Weight);
        var g = new double[m];
        for (int s = 0; s < Batch; s++)
        {
            var z = Enumerable.Range(0, 10).Select(c => r[c * Batch + s] / root).ToArray();
            double max = z.Max();
            var e = z.Select(v => Math.Exp(v - max)).ToArray();
            double sum = e.Sum();
            var prob = e.Select(v => v / sum).ToArray();
            for (int c = 0; c < 10; c++)
            {
                int i = c * Batch + s;
                g[i] = root * (prob[c] - block.Targets![i]);
                for (int d = 0; d < 10; d++)
                    h[i * m + d * Batch + s] = (c == d ? prob[c] : 0) - prob[c] * prob[d];
            }
        }
        return (jacobian, g, h);
    }

    private static double[] Multiply(double[] a, double[] b, int rows, int inner, int columns)
    {
        var c = new double[rows * columns];
        for (int i = 0; i < rows; i++)
            for (int k = 0; k < inner; k++)
            {
                double aik = a[i * inner + k];
                if (aik == 0)
                    continue;
                for (int j = 0; j < columns; j++)
                    c[i * columns + j] += aik * b[k * columns + j];
            }
        return c;
    }

    // Gaussian elimination with partial pivoting.
    private static double[] Solve(double[] a, double[] b, int n)
    {
        a = (double[])a.Clone();
        var x = (double[])b.Clone();
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            for (int i = k + 1; i < n; i++)
                if (Math.Abs(a[i * n + k]) > Math.Abs(a[pivot * n + k]))
                    pivot = i;
            if (pivot != k)
            {
                for (int j = 0; j < n; j++)
                    (a[k * n + j], a[pivot * n + j]) = (a[pivot * n + j], a[k * n + j]);
                (x[k], x[pivot]) = (x[pivot], x[k]);
            }
            for (int i = k + 1; i < n; i++)
            {
                double f = a[i * n + k] / a[k * n + k];
                if (f == 0)
                    continue;
                for (int j = k; j < n; j++)
                    a[i * n + j] -= f * a[k * n + j];
                x[i] -= f * x[k];
            }
        }
        for (int i = n - 1; i >= 0; i--)
        {
            for (int j = i + 1; j < n; j++)
                x[i] -= a[i * n + j] * x[j];
            x[i] /= a[i * n + i];
        }
        return x;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }

    private static double RelativeDifference(double[] a, double[] b)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            norm += b[i] * b[i];
        }
        return Math.Sqrt(diff / norm);
    }
}
