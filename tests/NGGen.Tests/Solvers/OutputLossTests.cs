using NGGen.Checking;
using NGGen.LinearAlgebra;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>The output losses, their gradients and curvatures, and the fused Gauss-Newton product,
/// each against finite differences or dense linear algebra.</summary>
public class OutputLossTests(ITestOutputHelper output)
{
    private const int Batch = 9;

    private static TrainingProblem<LossProbeNet> Problem(OutputLoss loss, int seed)
    {
        var random = new Random(seed);
        var inputs = GradientChecker.RandomVector(random, 2 * Batch);
        var targets = new double[3 * Batch];
        for (int s = 0; s < Batch; s++)
        {
            if (loss == OutputLoss.SoftmaxCrossEntropy)
                targets[random.Next(3) * Batch + s] = 1;          // one-hot
            else
                for (int c = 0; c < 3; c++)
                    targets[c * Batch + s] = loss == OutputLoss.Logistic ? random.NextDouble() : 2 * random.NextDouble() - 1;
        }
        // Weight ≠ 1 so the √w bookkeeping between J, g and H is exercised.
        return new TrainingProblem<LossProbeNet>(new ResidualBlock(0, inputs, Batch, targets, Weight: 0.37, OutputLoss: loss));
    }

    public static TheoryData<OutputLoss> Losses => new() { OutputLoss.Squared, OutputLoss.Logistic, OutputLoss.SoftmaxCrossEntropy };

    [Theory, MemberData(nameof(Losses))]
    public void Gradient_matches_central_differences_of_the_cost(OutputLoss loss)
    {
        var problem = Problem(loss, 1);
        var theta = GradientChecker.RandomParameters<LossProbeNet>(new Random(2));
        var g = new double[problem.ResidualCount];
        problem.Evaluate(theta, g);
        var gradient = new double[theta.Length];
        problem.Vjp(theta, g, gradient, new double[problem.ResidualCount]);
        double worst = 0, scale = GradientChecker.MaxAbs(gradient);
        var scratch = new double[problem.ResidualCount];
        for (int j = 0; j < theta.Length; j++)
        {
            // Richardson-extrapolated central differences: O(h⁴).
            double D(double h)
            {
                var plus = (double[])theta.Clone();
                var minus = (double[])theta.Clone();
                plus[j] += h;
                minus[j] -= h;
                return (problem.CostAt(plus, scratch) - problem.CostAt(minus, scratch)) / (2 * h);
            }
            double fd = (4 * D(5e-4) - D(1e-3)) / 3;
            worst = Math.Max(worst, Math.Abs(fd - gradient[j]) / scale);
        }
        output.WriteLine($"{loss}: ∇L vs central differences, worst relative {worst:E2}");
        Assert.True(worst <= 1e-8, $"{loss}: {worst:E2}");
    }

    [Theory, MemberData(nameof(Losses))]
    public void Curvature_matches_differences_of_the_output_gradient_and_is_positive_semidefinite(OutputLoss loss)
    {
        // H = ∂g/∂z in stacked coordinates (g = √w ∂ℓ/∂z, and z moves by u/√w when the stacked output moves by u).
        var problem = Problem(loss, 3);
        var theta = GradientChecker.RandomParameters<LossProbeNet>(new Random(4));
        int m = problem.ResidualCount;
        var random = new Random(5);
        var u = GradientChecker.RandomVector(random, m);
        var g = new double[m];
        problem.Evaluate(theta, g);
        var hu = new double[m];
        problem.ApplyCurvature(u, hu);
        Assert.True(GradientChecker.Dot(u, hu) >= 0);

        // Closed forms per loss for g and H·u.
        var z = GradientChecker.Forward<LossProbeNet, double>(0, theta, problem.Blocks[0].Inputs, Batch);
        var y = problem.Blocks[0].Targets!;
        double w = problem.Blocks[0].Weight;
        var expected = new double[m];
        for (int s = 0; s < Batch; s++)
        {
            if (loss == OutputLoss.SoftmaxCrossEntropy)
            {
                double max = Enumerable.Range(0, 3).Max(c => z[c * Batch + s]);
                var p = Enumerable.Range(0, 3).Select(c => Math.Exp(z[c * Batch + s] - max)).ToArray();
                double sum = p.Sum();
                for (int c = 0; c < 3; c++)
                    p[c] /= sum;
                double pu = Enumerable.Range(0, 3).Sum(c => p[c] * u[c * Batch + s]);
                for (int c = 0; c < 3; c++)
                {
                    expected[c * Batch + s] = p[c] * (u[c * Batch + s] - pu);
                    Assert.Equal(Math.Sqrt(w) * (p[c] - y[c * Batch + s]), g[c * Batch + s], 1e-14);
                }
            }
            else
            {
                for (int c = 0; c < 3; c++)
                {
                    int i = c * Batch + s;
                    double sigma = 1 / (1 + Math.Exp(-z[i]));
                    expected[i] = loss == OutputLoss.Logistic ? sigma * (1 - sigma) * u[i] : u[i];
                    Assert.Equal(Math.Sqrt(w) * (loss == OutputLoss.Logistic ? sigma - y[i] : z[i] - y[i]), g[i], 1e-14);
                }
            }
        }
        Assert.True(GradientChecker.MaxAbsDifference(expected, hu) <= 1e-15, $"{loss}: H·u differs by {GradientChecker.MaxAbsDifference(expected, hu):E2}");

        // And H is the derivative of g with respect to the logits: perturb z by ε·e_i through the loss arithmetic.
        double eps = 1e-6;
        for (int i = 0; i < m; i += 4)
        {
            var zPlus = (double[])z.Clone();
            var zMinus = (double[])z.Clone();
            zPlus[i] += eps / Math.Sqrt(w);
            zMinus[i] -= eps / Math.Sqrt(w);
            var gPlus = LossGradient(loss, zPlus, y, w);
            var gMinus = LossGradient(loss, zMinus, y, w);
            var unit = new double[m];
            unit[i] = 1;
            var column = new double[m];
            problem.ApplyCurvature(unit, column);
            for (int k = 0; k < m; k++)
                Assert.Equal((gPlus[k] - gMinus[k]) / (2 * eps), column[k], 1e-8);
        }
    }

    /// <summary>Independent g = √w ∂ℓ/∂z from the closed forms.</summary>
    private static double[] LossGradient(OutputLoss loss, double[] z, double[] y, double w)
    {
        var g = new double[z.Length];
        for (int s = 0; s < Batch; s++)
        {
            if (loss == OutputLoss.SoftmaxCrossEntropy)
            {
                double sum = Enumerable.Range(0, 3).Sum(c => Math.Exp(z[c * Batch + s]));
                for (int c = 0; c < 3; c++)
                    g[c * Batch + s] = Math.Sqrt(w) * (Math.Exp(z[c * Batch + s]) / sum - y[c * Batch + s]);
            }
            else
            {
                for (int c = 0; c < 3; c++)
                {
                    int i = c * Batch + s;
                    g[i] = Math.Sqrt(w) * (loss == OutputLoss.Logistic ? 1 / (1 + Math.Exp(-z[i])) - y[i] : z[i] - y[i]);
                }
            }
        }
        return g;
    }

    [Theory, MemberData(nameof(Losses))]
    public void Fused_gauss_newton_product_equals_dense_JtHJ(OutputLoss loss)
    {
        var problem = Problem(loss, 6);
        var theta = GradientChecker.RandomParameters<LossProbeNet>(new Random(7));
        int m = problem.ResidualCount, p = problem.ParameterCount;
        var g = new double[m];
        problem.Evaluate(theta, g);
        var jacobian = new double[m * p];
        problem.Jacobian(theta, jacobian);
        var v = GradientChecker.RandomVector(new Random(8), p);
        var jv = new double[m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < p; j++)
                jv[i] += jacobian[i * p + j] * v[j];
        var hjv = new double[m];
        problem.ApplyCurvature(jv, hjv);
        var expected = new double[p];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < p; j++)
                expected[j] += jacobian[i * p + j] * hjv[i];
        var fused = new double[p];
        problem.GaussNewtonProduct(theta, v, fused, new double[m]);
        double relative = GradientChecker.MaxAbsDifference(fused, expected) / GradientChecker.MaxAbs(expected);
        output.WriteLine($"{loss}: fused JᵀHJv vs dense, relative {relative:E2}");
        Assert.True(relative <= 1e-13, $"{loss}: {relative:E2}");
    }

    [Fact]
    public void Logistic_gradient_and_curvature_keep_their_digits_for_confident_samples()
    {
        // z = 40 with y = 1: 1 − σ(z) would round to 0; the true values are σ(−40) ≈ 4.2e-18.
        var problem = new TrainingProblem<LinearLogit>(new ResidualBlock(0, new double[4], 1, [1.0], OutputLoss: OutputLoss.Logistic));
        double[] theta = [0, 0, 0, 0, 40];
        var g = new double[1];
        double cost = problem.Evaluate(theta, g);
        var h = new double[1];
        problem.ApplyCurvature([1.0], h);
        double tail = Math.Exp(-40) / (1 + Math.Exp(-40));
        Assert.Equal(-tail, g[0], tail * 1e-12);
        Assert.Equal(tail * (1 - tail), h[0], tail * 1e-12);
        // log(1 + e^-40) = e^-40 − e^-80/2 + ...; softplus(z) − y·z as written cancels to 0 here.
        Assert.Equal(Math.Exp(-40) * (1 - (Math.Exp(-40) / 2)), cost, tail * 1e-12);
    }

    [Theory]
    [InlineData(50.0, 0)]   // confident and right: loss log(1 + 2e^-50), which rounds to 0 written as lse − z
    [InlineData(50.0, 1)]   // confident and wrong
    [InlineData(38.0, 0)]
    [InlineData(3.0, 0)]
    public void Softmax_loss_and_gradient_keep_their_digits_for_confident_samples(double lead, int label)
    {
        // Logits (lead, 0, 0): with t = e^-lead and r = 2t the softmax is (1, t, t)/(1 + r); the loss is
        // log(1 + r) − z_label + lead, and ∂ℓ/∂z = p − y with 1 − p_0 = r/(1 + r).
        var targets = new double[3];
        targets[label] = 1;
        var problem = new TrainingProblem<FreeLogits>(new ResidualBlock(0, [1.0], 1, targets, OutputLoss: OutputLoss.SoftmaxCrossEntropy));
        double[] theta = [lead, 0, 0];
        var g = new double[3];
        double cost = problem.Evaluate(theta, g);

        double t = Math.Exp(-lead), r = 2 * t;
        // The series where 1 + r would round r away; log(1 + r) loses only ε/r ≈ 1e-15 relative at r = 0.1.
        double logOnePlusR = r < 1e-4 ? r * (1 - (r / 2) + (r * r / 3)) : Math.Log(1 + r);
        double expectedCost = label == 0 ? logOnePlusR : lead + logOnePlusR;
        double[] expectedG = [label == 0 ? -r / (1 + r) : 1 / (1 + r), t / (1 + r) - (label == 1 ? 1 : 0), t / (1 + r)];
        Assert.Equal(expectedCost, cost, 1e-14 * expectedCost);
        for (int c = 0; c < 3; c++)
            Assert.True(Math.Abs(g[c] - expectedG[c]) <= 1e-14 * Math.Abs(expectedG[c]), $"∂ℓ/∂z_{c} = {g[c]:R}, expected {expectedG[c]:R}");
    }

    [Fact]
    public void Classification_losses_refuse_bad_targets_and_least_squares_solvers()
    {
        var inputs = new double[2 * 2];
        var notOneHot = new double[] { 0.5, 1, 0.4, 0, 0, 0 };   // sample 0 sums to 0.9
        var error = Assert.Throws<ArgumentException>(() => new TrainingProblem<LossProbeNet>(new ResidualBlock(0, inputs, 2, notOneHot, OutputLoss: OutputLoss.SoftmaxCrossEntropy)));
        Assert.Contains("sample 0 sum to 0.9", error.Message);
        var outOfRange = new double[] { 0, 1, 2, 0, 0, 0 };
        error = Assert.Throws<ArgumentException>(() => new TrainingProblem<LossProbeNet>(new ResidualBlock(0, inputs, 2, outOfRange, OutputLoss: OutputLoss.Logistic)));
        Assert.Contains("[0, 1]", error.Message);
        error = Assert.Throws<ArgumentException>(() => new TrainingProblem<LossProbeNet>(new ResidualBlock(0, inputs, 2, null, OutputLoss: OutputLoss.Logistic)));
        Assert.Contains("needs targets", error.Message);

        var problem = Problem(OutputLoss.Logistic, 9);
        var lm = Assert.Throws<NotSupportedException>(() => LevenbergMarquardt.Solve(problem, new double[LossProbeNet.ParameterCount]));
        Assert.Contains("Logistic", lm.Message);
    }

    [Fact]
    public void Gauss_newton_cg_reaches_the_logistic_regression_optimum_found_by_dense_newton()
    {
        // Non-separable data (labels drawn from a logistic model), so the optimum is unique and finite.
        var random = new Random(10);
        const int n = 200;
        var x = GradientChecker.RandomVector(random, 4 * n);
        double[] truth = [1.5, -2, 0.5, 1, -0.3];
        var y = new double[n];
        for (int s = 0; s < n; s++)
        {
            double z = truth[4];
            for (int i = 0; i < 4; i++)
                z += truth[i] * x[i * n + s];
            y[s] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }
        var problem = new TrainingProblem<LinearLogit>(new ResidualBlock(0, x, n, y, Weight: 1.0 / n, OutputLoss: OutputLoss.Logistic));
        var theta = new double[5];
        var summary = GaussNewtonCg.Solve(problem, theta, new GaussNewtonCgOptions { InitialDamping = 1e-3, GradientTolerance = 1e-13, MaxIterations = 100 });
        output.WriteLine(summary.FullReport());

        // Independent reference: Newton's method with the closed-form gradient and Hessian of the mean logistic loss.
        var newton = new double[5];
        for (int iteration = 0; iteration < 50; iteration++)
        {
            var gradient = new double[5];
            var hessian = new double[25];
            for (int s = 0; s < n; s++)
            {
                double[] features = [x[s], x[n + s], x[2 * n + s], x[3 * n + s], 1];
                double z = 0;
                for (int i = 0; i < 5; i++)
                    z += newton[i] * features[i];
                double sigma = 1 / (1 + Math.Exp(-z));
                for (int i = 0; i < 5; i++)
                {
                    gradient[i] += (sigma - y[s]) * features[i] / n;
                    for (int j = 0; j < 5; j++)
                        hessian[i * 5 + j] += sigma * (1 - sigma) * features[i] * features[j] / n;
                }
            }
            var cholesky = new Cholesky(5);
            Assert.True(cholesky.TryFactor(hessian, 5));
            var step = new double[5];
            cholesky.Solve(gradient.Select(v => -v).ToArray(), step);
            for (int i = 0; i < 5; i++)
                newton[i] += step[i];
        }
        // θ layout: w (4 entries) then bias.
        double difference = GradientChecker.MaxAbsDifference(theta, newton) / GradientChecker.MaxAbs(newton);
        output.WriteLine($"GN-CG vs dense Newton: relative {difference:E2}; θ = [{string.Join(", ", theta.Select(v => v.ToString("F6")))}]");
        Assert.True(difference <= 1e-9, $"{difference:E2}");
    }
}
