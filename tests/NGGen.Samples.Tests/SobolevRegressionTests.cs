using NGGen.Samples.SobolevRegression;
using NGGen.Solvers;

namespace NGGen.Samples.Tests;

/// <summary>The SobolevRegression sample's core computations against independent references: finite differences,
/// closed forms, a dense solve written here, and the push-through identity between the parameter and kernel forms.</summary>
public class SobolevRegressionTests
{
    private static double[] Theta<TModel>(int seed) where TModel : IModel<TModel>
    {
        var theta = new double[TModel.ParameterCount];
        TModel.InitializeParameters<double>(theta, (ulong)seed);
        return theta;
    }

    private static double[] Forward<TModel>(int function, double[] theta, double[] inputs, int batch) where TModel : IModel<TModel>
    {
        var output = new double[TModel.Functions[function].OutputSize * batch];
        var workspace = new double[TModel.WorkspaceLength(function, EvaluationKind.Forward, batch)];
        TModel.Forward<double>(function, theta, inputs, batch, output, workspace);
        return output;
    }

    [Fact]
    public void Target_derivative_matches_central_differences()
    {
        const double h = 1e-5;
        foreach (double x in new[] { -0.9, -0.25, 0.0, 0.29, 0.3, 0.31, 0.8 })
        {
            double difference = (Target.Value(x + h) - Target.Value(x - h)) / (2 * h);
            Assert.True(Math.Abs(Target.Derivative(x) - difference) < 1e-6, $"x = {x}: {Target.Derivative(x)} vs {difference}");
        }
    }

    [Fact]
    public void Regression_net_input_derivatives_match_central_differences()
    {
        var theta = Theta<RegressionNet>(3);
        double[] x = [-0.7, -0.1, 0.3, 0.65];
        const double h = 1e-4;
        var plus = x.Select(v => v + h).ToArray();
        var minus = x.Select(v => v - h).ToArray();
        var u = Forward<RegressionNet>(RegressionNet.UFunction, theta, x, x.Length);
        var du = Forward<RegressionNet>(RegressionNet.DUFunction, theta, x, x.Length);
        var d2u = Forward<RegressionNet>(RegressionNet.D2UFunction, theta, x, x.Length);
        var uPlus = Forward<RegressionNet>(RegressionNet.UFunction, theta, plus, x.Length);
        var uMinus = Forward<RegressionNet>(RegressionNet.UFunction, theta, minus, x.Length);
        for (int s = 0; s < x.Length; s++)
        {
            // Central differences: O(h²) truncation, about 1e-8 here, far below the tolerances.
            Assert.True(Math.Abs(du[s] - (uPlus[s] - uMinus[s]) / (2 * h)) < 1e-6, $"f' at {x[s]}");
            Assert.True(Math.Abs(d2u[s] - (uPlus[s] - 2 * u[s] + uMinus[s]) / (h * h)) < 1e-4, $"f'' at {x[s]}");
        }
    }

    [Fact]
    public void Moons_logit_hessian_matches_central_differences_of_the_gradient()
    {
        // The H² metric of the classifier reads Jacobian(Grad(Logit)); check it against differences of GradLogit.
        var theta = Theta<MoonsNet>(5);
        const int n = 3;
        double[] inputs = [-0.5, 0.4, 1.6, 0.2, -0.3, 0.7];   // feature-major: x0 of 3 samples, then x1
        var hessian = Forward<MoonsNet>(MoonsNet.HessianLogitFunction, theta, inputs, n);
        const double h = 1e-5;
        for (int j = 0; j < 2; j++)
        {
            var plus = (double[])inputs.Clone();
            var minus = (double[])inputs.Clone();
            for (int s = 0; s < n; s++)
            {
                plus[j * n + s] += h;
                minus[j * n + s] -= h;
            }
            var gPlus = Forward<MoonsNet>(MoonsNet.GradLogitFunction, theta, plus, n);
            var gMinus = Forward<MoonsNet>(MoonsNet.GradLogitFunction, theta, minus, n);
            for (int i = 0; i < 2; i++)
                for (int s = 0; s < n; s++)
                {
                    double difference = (gPlus[i * n + s] - gMinus[i * n + s]) / (2 * h);
                    // Row-major 2×2 per sample, feature-major over samples: entry (i, j) at (2i + j)·n + s.
                    double generated = hessian[(2 * i + j) * n + s];
                    Assert.True(Math.Abs(generated - difference) < 1e-6, $"H[{i},{j}] of sample {s}: {generated} vs {difference}");
                }
        }
    }

    [Fact]
    public void H2_derivative_form_direction_equals_a_dense_solve_with_finite_difference_jacobians()
    {
        var theta = Theta<RegressionNet>(7);
        var train = DataSets.RegressionTrain(12, 7);
        var grid = DataSets.Grid(20).Inputs;
        const double length = 0.1, damping = 1e-2;
        int p = RegressionNet.ParameterCount;
        var loss = new TrainingProblem<RegressionNet>(new ResidualBlock(RegressionNet.UFunction, train.Inputs, train.Count, train.Targets, Weight: 1.0 / train.Count));
        var metric = RegressionExperiment.SobolevMetricProblem(2, grid, length);
        var generated = new double[p];
        new NaturalGradient<RegressionNet>(loss, new NaturalGradientOptions { Damping = damping }, metric).Direction(theta, generated);

        // Reference: G = Σ_k w_k J_kᵀJ_k + λI and ∇L = J_fᵀr/n from central differences in θ, solved by Gaussian elimination.
        double[] Column(int function, double[] inputs, int j)
        {
            const double h = 1e-6;
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[j] += h;
            minus[j] -= h;
            var a = Forward<RegressionNet>(function, plus, inputs, inputs.Length);
            var b = Forward<RegressionNet>(function, minus, inputs, inputs.Length);
            return a.Zip(b, (u, v) => (u - v) / (2 * h)).ToArray();
        }
        var gram = new double[p, p + 1];
        (int Function, double Weight)[] blocks = [(RegressionNet.UFunction, 1.0 / grid.Length), (RegressionNet.DUFunction, length * length / grid.Length),
            (RegressionNet.D2UFunction, Math.Pow(length, 4) / grid.Length)];
        foreach (var (function, weight) in blocks)
        {
            var columns = Enumerable.Range(0, p).Select(j => Column(function, grid, j)).ToArray();
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++)
                    gram[a, b] += weight * columns[a].Zip(columns[b], (u, v) => u * v).Sum();
        }
        var values = Forward<RegressionNet>(RegressionNet.UFunction, theta, train.Inputs, train.Count);
        for (int a = 0; a < p; a++)
        {
            gram[a, a] += damping;
            var column = Column(RegressionNet.UFunction, train.Inputs, a);
            // Right-hand side −∇L.
            gram[a, p] = -Enumerable.Range(0, train.Count).Sum(s => column[s] * (values[s] - train.Targets[s])) / train.Count;
        }
        var reference = Solve(gram, p);
        double error = Math.Sqrt(generated.Zip(reference, (u, v) => (u - v) * (u - v)).Sum() / reference.Sum(v => v * v));
        Assert.True(error < 1e-5, $"relative difference {error:E2}");
    }

    [Fact]
    public void Fisher_and_kernel_identity_directions_agree_when_overparameterized()
    {
        // (JᵀJ + λI)⁻¹Jᵀr = Jᵀ(JJᵀ + λI)⁻¹r (push-through identity): the parameter-space Fisher NG and the kernel form with
        // M = I give the same damped direction, by two different solves (Jacobi eigen in R^p, Cholesky in R^n).
        var theta = Theta<RegressionNet>(11);
        var train = DataSets.RegressionTrain(20, 11);
        const double damping = 1e-3;
        var loss = new TrainingProblem<RegressionNet>(new ResidualBlock(RegressionNet.UFunction, train.Inputs, train.Count, train.Targets, Weight: 1.0 / train.Count));
        var parameterForm = new double[RegressionNet.ParameterCount];
        var kernelForm = new double[RegressionNet.ParameterCount];
        new NaturalGradient<RegressionNet>(loss, new NaturalGradientOptions { Damping = damping }).Direction(theta, parameterForm);
        new KernelNaturalGradient<RegressionNet>(loss, OutputMetric.Identity).Direction(theta, kernelForm, damping);
        double error = Math.Sqrt(parameterForm.Zip(kernelForm, (u, v) => (u - v) * (u - v)).Sum() / kernelForm.Sum(v => v * v));
        Assert.True(error < 1e-8, $"relative difference {error:E2}");
    }

    [Fact]
    public void Largest_eigenvalue_matches_closed_forms()
    {
        // [[2, 1], [1, 2]] has eigenvalues 3 and 1; the 3×3 all-ones matrix has 3, 0, 0.
        Assert.Equal(3.0, RegressionExperiment.LargestEigenvalue([2, 1, 1, 2], 2), 10);
        Assert.Equal(3.0, RegressionExperiment.LargestEigenvalue([1, 1, 1, 1, 1, 1, 1, 1, 1], 3), 10);
        // A normalized kernel's top eigenvalue is 1.
        var kernel = RegressionExperiment.NormalizedMaternKernel(DataSets.Grid(15).Inputs, 1, 0.3);
        Assert.Equal(1.0, RegressionExperiment.LargestEigenvalue(kernel, 15), 8);
    }

    [Fact]
    public void Noise_free_moons_lie_on_their_arcs_and_alternate_labels()
    {
        var moons = DataSets.Moons(40, 0, 2);
        for (int s = 0; s < moons.Count; s++)
        {
            double x = moons.Inputs[s], y = moons.Inputs[moons.Count + s];
            Assert.Equal(s % 2, moons.Targets[s]);
            double radius = s % 2 == 0 ? Math.Sqrt(x * x + y * y) : Math.Sqrt((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5));
            Assert.Equal(1.0, radius, 12);
            Assert.True(s % 2 == 0 ? y >= 0 : y <= 0.5);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSets.Moons(10, -1, 0));
    }

    [Fact]
    public void Score_is_the_logistic_loss_and_accuracy()
    {
        // z = 0 costs log 2 whatever the label; z = ±∞-ish costs 0 when right and |z| when wrong.
        var (loss, accuracy) = ClassificationEvaluator.Score([0.0, 40.0, -40.0, 40.0], [1, 1, 0, 0]);
        Assert.Equal((Math.Log(2) + 0 + 0 + 40) / 4, loss, 10);
        Assert.Equal(0.5, accuracy);   // z = 0 counts as class 0: wrong for label 1; the last is wrong too
    }

    [Fact]
    public void Small_runs_train_every_natural_gradient_and_the_sobolev_metric_smooths()
    {
        var config = ExperimentConfig.Small(1);
        var regression = RegressionExperiment.Run(config.Regression, 1);
        foreach (var run in regression.Runs.Where(r => r.Method.Contains("NG", StringComparison.Ordinal)))
        {
            // Every natural-gradient run is a descent method here (Armijo): the train MSE must drop by a clear factor.
            double first = run.Trace[0].Metrics.TrainMse, last = run.Final.Metrics.TrainMse;
            Assert.True(last < 0.5 * first, $"{run.Method}: train MSE {first:E2} → {last:E2}");
        }
        // The Matérn kernels damp the rough residual modes: after the same iterations, the smoothest kernel (s = 2) has
        // fit the training data less than M = I (the kernel-smoothed gradient −K r is never larger than r in any mode).
        double identity = regression.Runs.Single(r => r.Method.StartsWith("Kernel NG M=I", StringComparison.Ordinal)).Final.Metrics.TrainMse;
        double matern2 = regression.Runs.Single(r => r.Method.EndsWith("Matérn s=2", StringComparison.Ordinal)).Final.Metrics.TrainMse;
        Assert.True(matern2 > identity, $"Matérn s=2 {matern2:E2} vs M=I {identity:E2}");

        var classification = ClassificationExperiment.Run(config.Classification, 1);
        foreach (var run in classification.Runs.Where(r => r.Method.Contains("NG", StringComparison.Ordinal)))
            Assert.True(run.Final.Metrics.TrainAccuracy >= 0.8, $"{run.Method}: train accuracy {run.Final.Metrics.TrainAccuracy:P0}");
    }

    private static double[] Solve(double[,] augmented, int n)
    {
        for (int k = 0; k < n; k++)
        {
            int pivot = Enumerable.Range(k, n - k).MaxBy(i => Math.Abs(augmented[i, k]));
            for (int c = 0; c <= n; c++)
                (augmented[k, c], augmented[pivot, c]) = (augmented[pivot, c], augmented[k, c]);
            for (int i = k + 1; i < n; i++)
            {
                double factor = augmented[i, k] / augmented[k, k];
                for (int c = k; c <= n; c++)
                    augmented[i, c] -= factor * augmented[k, c];
            }
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = augmented[i, n];
            for (int c = i + 1; c < n; c++)
                sum -= augmented[i, c] * x[c];
            x[i] = sum / augmented[i, i];
        }
        return x;
    }
}
