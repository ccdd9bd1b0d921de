using NGGen.LinearAlgebra;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

public class DualGaussNewtonTests(ITestOutputHelper output)
{
    private static (TrainingProblem<Mlp3> Problem, double[] Theta) SmallBatchProblem()
    {
        // 20 samples × 2 outputs = 40 residuals against 294 parameters: the regime the dual is for.
        const int batch = 20;
        var random = new Random(8);
        var inputs = Enumerable.Range(0, 3 * batch).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var targets = Enumerable.Range(0, 2 * batch).Select(_ => random.NextDouble() - 0.5).ToArray();
        var theta = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(theta, 5);
        return (new TrainingProblem<Mlp3>(new ResidualBlock(0, inputs, batch, targets)), theta);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(10.0)]
    public void Squared_loss_dual_direction_equals_the_primal_damped_gauss_newton_direction(double gamma)
    {
        var (problem, theta) = SmallBatchProblem();
        int m = problem.ResidualCount, p = problem.ParameterCount;

        // Primal, densely: (JᵀJ + I/γ) v = −Jᵀr by Cholesky.
        var jacobian = new double[m * p];
        problem.Jacobian(theta, jacobian);
        var r = new double[m];
        problem.Residuals(theta, r);
        var normal = new double[p * p];
        var rhs = new double[p];
        for (int i = 0; i < m; i++)
            for (int a = 0; a < p; a++)
            {
                rhs[a] -= jacobian[i * p + a] * r[i];
                for (int b = 0; b < p; b++)
                    normal[a * p + b] += jacobian[i * p + a] * jacobian[i * p + b];
            }
        var cholesky = new Cholesky(p);
        Assert.True(cholesky.TryFactor(normal, p, shift: 1 / gamma));
        var primal = new double[p];
        cholesky.Solve(rhs, primal);

        var dual = new double[p];
        var solver = new DualGaussNewton<Mlp3>(problem);
        solver.Direction(theta, dual, new DualGaussNewtonOptions { Gamma = gamma, RelativeTolerance = 1e-15 });

        double difference = Math.Sqrt(primal.Zip(dual, (a, b) => (a - b) * (a - b)).Sum());
        double relative = difference / Math.Sqrt(primal.Sum(v => v * v));
        output.WriteLine($"γ = {gamma}: relative difference {relative:E2} after {solver.LastIterations} dual CG iterations (m = {m}, p = {p})");
        Assert.True(relative <= 1e-9, $"relative difference {relative:E2}");
    }

    [Fact]
    public void Every_dual_cg_iterate_from_zero_is_a_descent_direction()
    {
        var (problem, theta) = SmallBatchProblem();
        var r = new double[problem.ResidualCount];
        problem.Residuals(theta, r);
        var gradient = new double[problem.ParameterCount];
        problem.Vjp(theta, r, gradient, new double[problem.ResidualCount]);
        var slopes = new List<double>();
        var solver = new DualGaussNewton<Mlp3>(problem);
        solver.Direction(theta, new double[problem.ParameterCount], new DualGaussNewtonOptions
        {
            Gamma = 5,
            RelativeTolerance = 1e-14,
            OnIterate = (_, v) =>
            {
                double slope = 0;
                for (int j = 0; j < v.Length; j++)
                    slope += gradient[j] * v[j];
                slopes.Add(slope);
                return true;
            },
        });
        output.WriteLine($"{slopes.Count} iterates, slopes gᵀv from {slopes.Max():E2} to {slopes.Min():E2}");
        Assert.True(slopes.Count >= 5);
        Assert.All(slopes, s => Assert.True(s < 0, $"gᵀv = {s:E2}"));
    }

    [Fact]
    public void Computing_a_direction_allocates_nothing_after_warm_up()
    {
        var (problem, theta) = SmallBatchProblem();
        var solver = new DualGaussNewton<Mlp3>(problem);
        var direction = new double[problem.ParameterCount];
        var options = new DualGaussNewtonOptions { Gamma = 1, MaxCgIterations = 30 };
        for (int i = 0; i < 3; i++)
            solver.Direction(theta, direction, options);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
            solver.Direction(theta, direction, options);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
