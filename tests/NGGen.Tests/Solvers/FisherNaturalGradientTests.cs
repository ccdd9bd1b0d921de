using NGGen.Checking;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>
/// <see cref="NaturalGradient{TModel}"/> against routes that share neither its eigen pseudo-inverse nor the
/// problem's loss code: the model Jacobian from generated JVPs, the loss gradient and curvature in closed
/// form from the outputs, and linear systems solved by Gaussian elimination.
/// </summary>
public class FisherNaturalGradientTests(ITestOutputHelper output)
{
    private const double Weight = 0.5;

    /// <summary>TwoLayerWithHelper (51 parameters, 3 outputs) on <paramref name="batch"/> random samples with
    /// targets fit for <paramref name="loss"/>.</summary>
    private static (TrainingProblem<TwoLayerWithHelper> Problem, double[] Inputs, double[] Targets, double[] Theta) Setup(OutputLoss loss, int batch, int seed)
    {
        var random = new Random(seed);
        var inputs = GradientChecker.RandomInputs<TwoLayerWithHelper>(random, 0, batch);
        var targets = new double[3 * batch];
        for (int s = 0; s < batch; s++)
        {
            int label = random.Next(3);
            for (int c = 0; c < 3; c++)
                targets[c * batch + s] = loss switch
                {
                    OutputLoss.Squared => random.NextDouble() - 0.5,
                    OutputLoss.Logistic => random.NextDouble(),
                    _ => c == label ? 1 : 0,
                };
        }
        var theta = GradientChecker.RandomParameters<TwoLayerWithHelper>(random);
        var problem = new TrainingProblem<TwoLayerWithHelper>(new ResidualBlock(0, inputs, batch, targets, Weight, OutputLoss: loss));
        return (problem, inputs, targets, theta);
    }

    /// <summary>The model's own m×p Jacobian ∂F/∂θ (no weight), column j from a generated JVP along eⱼ.</summary>
    private static double[] ModelJacobian(double[] theta, double[] inputs, int batch)
    {
        int m = 3 * batch, p = theta.Length;
        var jacobian = new double[m * p];
        var unit = new double[p];
        for (int j = 0; j < p; j++)
        {
            unit[j] = 1;
            var column = GradientChecker.Jvp<TwoLayerWithHelper, double>(0, theta, inputs, batch, unit);
            unit[j] = 0;
            for (int i = 0; i < m; i++)
                jacobian[i * p + j] = column[i];
        }
        return jacobian;
    }

    /// <summary>∂ℓ/∂z and the dense m×m ∂²ℓ/∂z² of one sample-summed loss, in closed form from the outputs z.</summary>
    private static (double[] Gradient, double[] Curvature) LossDerivatives(OutputLoss loss, double[] z, double[] y, int batch)
    {
        int m = z.Length;
        var gradient = new double[m];
        var curvature = new double[m * m];
        for (int s = 0; s < batch; s++)
        {
            // Softmax: p = e^z / Σe^z per sample; the other losses act entrywise.
            double normaliser = 0;
            for (int c = 0; c < 3; c++)
                normaliser += Math.Exp(z[c * batch + s]);
            for (int c = 0; c < 3; c++)
            {
                int i = c * batch + s;
                switch (loss)
                {
                    case OutputLoss.Squared:
                        gradient[i] = z[i] - y[i];
                        curvature[i * m + i] = 1;
                        break;
                    case OutputLoss.Logistic:
                        double sigma = 1 / (1 + Math.Exp(-z[i]));
                        gradient[i] = sigma - y[i];
                        curvature[i * m + i] = sigma * (1 - sigma);
                        break;
                    default:
                        double pc = Math.Exp(z[i]) / normaliser;
                        gradient[i] = pc - y[i];
                        for (int k = 0; k < 3; k++)
                        {
                            double pk = Math.Exp(z[k * batch + s]) / normaliser;
                            curvature[i * m + k * batch + s] = (c == k ? pc : 0) - pc * pk;
                        }
                        break;
                }
            }
        }
        return (gradient, curvature);
    }

    private static double[] Multiply(double[] a, double[] b, int rows, int inner, int columns, bool transposeA = false)
    {
        var c = new double[rows * columns];
        for (int i = 0; i < rows; i++)
            for (int k = 0; k < inner; k++)
            {
                double aik = transposeA ? a[k * rows + i] : a[i * inner + k];
                for (int j = 0; j < columns; j++)
                    c[i * columns + j] += aik * b[k * columns + j];
            }
        return c;
    }

    /// <summary>x = A⁻¹b by Gaussian elimination with partial pivoting (A n×n, copied).</summary>
    private static double[] SolveDense(double[] a, double[] b, int n)
    {
        var m = (double[])a.Clone();
        var x = (double[])b.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
                if (Math.Abs(m[r * n + col]) > Math.Abs(m[pivot * n + col]))
                    pivot = r;
            for (int k = 0; k < n; k++)
                (m[col * n + k], m[pivot * n + k]) = (m[pivot * n + k], m[col * n + k]);
            (x[col], x[pivot]) = (x[pivot], x[col]);
            for (int r = col + 1; r < n; r++)
            {
                double factor = m[r * n + col] / m[col * n + col];
                for (int k = col; k < n; k++)
                    m[r * n + k] -= factor * m[col * n + k];
                x[r] -= factor * x[col];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double sum = x[r];
            for (int k = r + 1; k < n; k++)
                sum -= m[r * n + k] * x[k];
            x[r] = sum / m[r * n + r];
        }
        return x;
    }

    /// <summary>
    /// With J (m×p, m &lt; p) of full row rank, range(G) = Jᵀ·range(H); with Q a basis of range(H) the
    /// minimum-norm solution of G x = ∇L is x = JᵀQc where QᵀHJJᵀQ c = Qᵀ∂ℓ (the weight w cancels).
    /// Q = I for the squared and logistic losses (H positive diagonal); for softmax H·1 = 0 per sample and
    /// Q holds e_c − e_last for c = 1, 2 of every sample.
    /// </summary>
    [Theory]
    [InlineData(OutputLoss.Squared)]
    [InlineData(OutputLoss.Logistic)]
    [InlineData(OutputLoss.SoftmaxCrossEntropy)]
    public void Undamped_direction_is_the_minimum_norm_solution_of_the_ggn_system_when_J_has_full_row_rank(OutputLoss loss)
    {
        const int batch = 5;
        var (problem, inputs, targets, theta) = Setup(loss, batch, seed: 3);
        int m = 3 * batch, p = problem.ParameterCount;
        var solver = new NaturalGradient<TwoLayerWithHelper>(problem);
        var direction = new double[p];
        solver.Direction(theta, direction);

        var jacobian = ModelJacobian(theta, inputs, batch);
        var z = GradientChecker.Forward<TwoLayerWithHelper, double>(0, theta, inputs, batch);
        var (lossGradient, curvature) = LossDerivatives(loss, z, targets, batch);
        int rank = loss == OutputLoss.SoftmaxCrossEntropy ? 2 * batch : m;
        var basis = new double[m * rank];
        for (int k = 0; k < rank; k++)
        {
            if (loss != OutputLoss.SoftmaxCrossEntropy)
            {
                basis[k * rank + k] = 1;
                continue;
            }
            int s = k % batch, c = k / batch;
            basis[(c * batch + s) * rank + k] = 1;
            basis[(2 * batch + s) * rank + k] = -1;
        }
        var kernel = Multiply(jacobian, Transpose(jacobian, m, p), m, p, m);
        var hjjq = Multiply(curvature, Multiply(kernel, basis, m, m, rank), m, m, rank);
        var system = Multiply(basis, hjjq, rank, m, rank, transposeA: true);
        var rhs = Multiply(basis, lossGradient, rank, m, 1, transposeA: true);
        var c0 = SolveDense(system, rhs, rank);
        var expected = Multiply(jacobian, Multiply(basis, c0, m, rank, 1), p, m, 1, transposeA: true);
        for (int j = 0; j < p; j++)
            expected[j] = -expected[j];

        double difference = GradientChecker.RelativeL2Difference(direction, expected);
        output.WriteLine($"{loss}: rank of G kept {solver.Rank} (expected {rank}), ‖δ − δ_ref‖/‖δ_ref‖ = {difference:E2}");
        Assert.Equal(rank, solver.Rank);
        Assert.True(difference <= 1e-9, $"{difference:E2}");

        // The gradient it reports is w·Jᵀ∂ℓ.
        var gradient = Multiply(jacobian, lossGradient, p, m, 1, transposeA: true);
        for (int j = 0; j < p; j++)
            gradient[j] *= Weight;
        Assert.True(GradientChecker.RelativeL2Difference(solver.Gradient, gradient) <= 1e-12);
    }

    /// <summary>With more outputs than parameters and λ &gt; 0, G + λI = w·JᵀHJ + λI is invertible (for softmax G
    /// alone is not: shifting every logit of a sample by one constant is in its null space) and
    /// δ = −(G + λI)⁻¹ w·Jᵀ∂ℓ by elimination.</summary>
    [Theory]
    [InlineData(OutputLoss.Squared)]
    [InlineData(OutputLoss.Logistic)]
    [InlineData(OutputLoss.SoftmaxCrossEntropy)]
    public void Damped_direction_solves_the_regularised_ggn_system(OutputLoss loss)
    {
        const int batch = 30;
        const double damping = 1e-2;
        var (problem, inputs, targets, theta) = Setup(loss, batch, seed: 5);
        int m = 3 * batch, p = problem.ParameterCount;
        var solver = new NaturalGradient<TwoLayerWithHelper>(problem, new NaturalGradientOptions { Damping = damping });
        var direction = new double[p];
        double cost = solver.Direction(theta, direction);

        var jacobian = ModelJacobian(theta, inputs, batch);
        var z = GradientChecker.Forward<TwoLayerWithHelper, double>(0, theta, inputs, batch);
        var (lossGradient, curvature) = LossDerivatives(loss, z, targets, batch);
        var gramian = Multiply(jacobian, Multiply(curvature, jacobian, m, m, p), p, m, p, transposeA: true);
        for (int a = 0; a < p * p; a++)
            gramian[a] *= Weight;
        for (int a = 0; a < p; a++)
            gramian[a * p + a] += damping;
        var gradient = Multiply(jacobian, lossGradient, p, m, 1, transposeA: true);
        for (int j = 0; j < p; j++)
            gradient[j] = -Weight * gradient[j];
        var expected = SolveDense(gramian, gradient, p);

        double difference = GradientChecker.RelativeL2Difference(direction, expected);
        output.WriteLine($"{loss}, λ = {damping}: cost {cost:F6}, ‖δ − δ_ref‖/‖δ_ref‖ = {difference:E2}");
        Assert.True(difference <= 1e-9, $"{difference:E2}");
    }

    [Fact]
    public void Squared_loss_with_full_row_rank_J_agrees_with_the_kernel_natural_gradient()
    {
        const int batch = 20;
        var random = new Random(21);
        var inputs = GradientChecker.RandomInputs<Recurrent>(random, 0, batch);
        var targets = GradientChecker.RandomVector(random, batch, 0.5);
        var theta = GradientChecker.RandomParameters<Recurrent>(random);
        var problem = new TrainingProblem<Recurrent>(new ResidualBlock(0, inputs, batch, targets));
        var primal = new double[problem.ParameterCount];
        var kernel = new double[problem.ParameterCount];
        var solver = new NaturalGradient<Recurrent>(problem);
        solver.Direction(theta, primal);
        new KernelNaturalGradient<Recurrent>(problem, OutputMetric.Identity).Direction(theta, kernel);

        double difference = GradientChecker.RelativeL2Difference(primal, kernel);
        output.WriteLine($"primal −G⁺∇L vs kernel −Jᵀ(JJᵀ)⁻¹r: rank {solver.Rank} of {problem.ParameterCount}, relative difference {difference:E2}");
        Assert.Equal(batch, solver.Rank);
        Assert.True(difference <= 1e-9, $"{difference:E2}");
    }

    /// <summary>A linear model with fewer samples than weights: one NGD step with η = 1 is the minimum-norm
    /// correction θ₁ = θ₀ − X⁺(Xθ₀ − y) (closed form by elimination on XXᵀ), which interpolates; the next
    /// gradient is zero.</summary>
    [Fact]
    public void One_unit_step_on_a_linear_least_squares_model_lands_on_the_minimum_norm_interpolant()
    {
        const int batch = 3, d = 5;
        var random = new Random(7);
        var inputs = GradientChecker.RandomInputs<WideDeepLinear1>(random, 0, batch);
        var targets = GradientChecker.RandomVector(random, batch);
        var theta = GradientChecker.RandomVector(random, d);
        var problem = new TrainingProblem<WideDeepLinear1>(new ResidualBlock(0, inputs, batch, targets));

        // Rows of X are samples: X[s, i] = inputs[i·batch + s].
        var x = new double[batch * d];
        for (int s = 0; s < batch; s++)
            for (int i = 0; i < d; i++)
                x[s * d + i] = inputs[i * batch + s];
        var residual = Multiply(x, theta, batch, d, 1);
        for (int s = 0; s < batch; s++)
            residual[s] -= targets[s];
        var coefficients = SolveDense(Multiply(x, Transpose(x, batch, d), batch, d, batch), residual, batch);
        var expected = Multiply(x, coefficients, d, batch, 1, transposeA: true);
        for (int i = 0; i < d; i++)
            expected[i] = theta[i] - expected[i];

        var summary = new NaturalGradient<WideDeepLinear1>(problem, new NaturalGradientOptions { MaxIterations = 5 }).Solve(theta);
        output.WriteLine(summary.FullReport());
        Assert.True(GradientChecker.RelativeL2Difference(theta, expected) <= 1e-12, $"{GradientChecker.RelativeL2Difference(theta, expected):E2}");
        Assert.Equal(TerminationType.GradientTolerance, summary.Termination);
        Assert.Equal(1, summary.Iterations);
        Assert.True(summary.FinalCost <= 1e-25);
    }

    [Fact]
    public void A_non_finite_cost_stops_the_solve_and_keeps_the_last_finite_parameters()
    {
        const int batch = 3;
        var random = new Random(8);
        var inputs = GradientChecker.RandomInputs<WideDeepLinear2>(random, 0, batch);
        var targets = GradientChecker.RandomVector(random, batch);
        var theta = GradientChecker.RandomVector(random, WideDeepLinear2.ParameterCount, 0.5);
        var start = (double[])theta.Clone();
        var problem = new TrainingProblem<WideDeepLinear2>(new ResidualBlock(0, inputs, batch, targets));

        // A step of 1e300 overflows the squared residuals.
        var summary = new NaturalGradient<WideDeepLinear2>(problem, new NaturalGradientOptions { LearningRate = 1e300 }).Solve(theta);
        output.WriteLine($"{summary.Termination}: {summary.Message}");
        Assert.Equal(TerminationType.NonFiniteCost, summary.Termination);
        Assert.Equal(start, theta);
        Assert.Equal(summary.InitialCost, summary.FinalCost);
    }

    /// <summary>With backtracking every accepted step satisfies the Armijo condition, so the cost falls
    /// monotonically even from a small initialisation of a deep net, where the unit step overshoots.</summary>
    [Fact]
    public void Backtracking_makes_every_step_a_descent_step_on_a_deep_net_from_a_small_start()
    {
        const int batch = 3;
        var random = new Random(9);
        var inputs = GradientChecker.RandomInputs<WideDeepLinear3>(random, 0, batch);
        var targets = GradientChecker.RandomVector(random, batch);
        var theta = GradientChecker.RandomVector(random, WideDeepLinear3.ParameterCount, 0.1);
        var problem = new TrainingProblem<WideDeepLinear3>(new ResidualBlock(0, inputs, batch, targets));
        var summary = new NaturalGradient<WideDeepLinear3>(problem, new NaturalGradientOptions { MaxIterations = 20, MaxBacktracks = 40 }).Solve(theta);
        output.WriteLine(summary.FullReport());
        Assert.NotEmpty(summary.History);
        Assert.All(summary.History, record => Assert.True(record.CostChange > 0, $"iteration {record.Iteration}: change {record.CostChange:E2}"));
        Assert.Contains(summary.History, record => record.InnerIterations > 0);
    }

    [Fact]
    public void Invalid_options_are_refused_with_the_option_named()
    {
        var problem = new TrainingProblem<WideDeepLinear1>(new ResidualBlock(0, new double[5], 1, [0.0]));
        foreach (var options in new NaturalGradientOptions[]
        {
            new() { LearningRate = 0 },
            new() { Damping = -1 },
            new() { MaxIterations = -1 },
            new() { PseudoInverseCutoff = 1 },
            new() { MaxBacktracks = -1 },
            new() { MaxRelativeStep = 0 },
        })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new NaturalGradient<WideDeepLinear1>(problem, options));
            Assert.Contains("NaturalGradientOptions.", error.Message);
        }
    }

    /// <summary>The columns×rows transpose of a row-major rows×columns matrix.</summary>
    private static double[] Transpose(double[] a, int rows, int columns)
    {
        var t = new double[rows * columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                t[j * rows + i] = a[i * columns + j];
        return t;
    }
}
