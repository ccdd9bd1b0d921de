using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

public class FirstOrderBaselineTests(ITestOutputHelper output)
{
    [Fact]
    public void Lbfgs_finds_the_rosenbrock_minimum()
    {
        var problem = new TrainingProblem<Rosenbrock.Compiled>(new ResidualBlock(0, [0.0], 1));
        double[] theta = [-1.2, 1];
        var summary = Lbfgs.Solve(problem, theta, new FirstOrderOptions { MaxIterations = 500, GradientTolerance = 1e-12 });
        output.WriteLine($"L-BFGS: {summary.Termination} after {summary.Iterations} iterations, x = ({theta[0]:R}, {theta[1]:R})");
        Assert.Equal(1.0, theta[0], 1e-8);
        Assert.Equal(1.0, theta[1], 1e-8);
    }

    [Fact]
    public void Gradient_descent_reaches_the_closed_form_line_fit()
    {
        // y = 0.8 t − 0.3 + noise: the least-squares line from the normal equations is the reference.
        var random = new Random(2);
        var t = Enumerable.Range(0, 50).Select(i => i / 25.0).ToArray();
        var y = t.Select(v => 0.8 * v - 0.3 + 0.05 * (random.NextDouble() - 0.5)).ToArray();
        double n = t.Length, st = t.Sum(), sy = y.Sum(), stt = t.Sum(v => v * v), sty = t.Zip(y, (a, b) => a * b).Sum();
        double slope = (n * sty - st * sy) / (n * stt - st * st), intercept = (sy - slope * st) / n;
        var problem = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, t, t.Length, y, 1.0 / n));
        double[] theta = [0, 0];
        var summary = GradientDescent.Solve(problem, theta, new FirstOrderOptions { MaxIterations = 20_000, LearningRate = 0.5, GradientTolerance = 1e-13 });
        output.WriteLine($"GD: {summary.Termination} after {summary.Iterations} iterations");
        Assert.Equal(slope, theta[0], 1e-9);
        Assert.Equal(intercept, theta[1], 1e-9);
    }

    [Fact]
    public void Gradient_descent_with_a_diverging_step_keeps_the_last_finite_parameters()
    {
        var t = Enumerable.Range(0, 10).Select(i => (double)i).ToArray();
        var problem = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, t, t.Length, t.Select(v => 2 * v).ToArray()));
        double[] theta = [0, 0];
        var summary = GradientDescent.Solve(problem, theta, new FirstOrderOptions { MaxIterations = 10_000, LearningRate = 10 });
        Assert.Equal(TerminationType.NonFiniteCost, summary.Termination);
        Assert.True(double.IsFinite(theta[0]) && double.IsFinite(theta[1]));
        Assert.Contains("learning rate", summary.Message);
    }

    [Fact]
    public void Lbfgs_trains_a_nonconvex_network_regression()
    {
        // Non-convex, with an Armijo-only line search: pairs with sᵀy ≤ 0 occur and must be skipped
        // without corrupting the stored ones.
        var problem = TeacherStudent.Problem(100, 6, teacherSeed: 77);
        var theta = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(theta, 1);
        var summary = Lbfgs.Solve(problem, theta, new FirstOrderOptions { MaxIterations = 400 });
        output.WriteLine($"L-BFGS MLP: cost {summary.InitialCost:E3} → {summary.FinalCost:E3} in {summary.Iterations} iterations ({summary.Termination})");
        Assert.True(summary.FinalCost < 1e-3 * summary.InitialCost, summary.Message);
    }

    [Fact]
    public void Invalid_options_and_parameter_lengths_are_refused_clearly()
    {
        var problem = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, [0.0, 1.0], 2, [1.0, 2.0]));
        var memory = Assert.Throws<ArgumentOutOfRangeException>(() => Lbfgs.Solve(problem, new double[2], new FirstOrderOptions { Memory = 0 }));
        Assert.Contains("Memory", memory.Message);
        var length = Assert.Throws<ArgumentException>(() => GradientDescent.Solve(problem, new double[3]));
        Assert.Contains("2 parameters", length.Message);
    }

    [Fact]
    public void A_callback_that_returns_false_is_reported_as_user_stopped()
    {
        var problem = new TrainingProblem<Rosenbrock.Compiled>(new ResidualBlock(0, [0.0], 1));
        var summary = Lbfgs.Solve(problem, new double[] { -1.2, 1 }, new FirstOrderOptions { Callback = it => it.Iteration < 3 });
        Assert.Equal(TerminationType.UserStopped, summary.Termination);
        Assert.Equal(3, summary.Iterations);
    }
}
