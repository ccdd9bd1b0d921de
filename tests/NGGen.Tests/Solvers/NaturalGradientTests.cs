using NGGen.LinearAlgebra;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

public class NaturalGradientTests(ITestOutputHelper output)
{
    private static TrainingProblem<Poisson1D> OneDimensionalPoisson(int points)
    {
        var interior = Enumerable.Range(1, points).Select(i => i / (points + 1.0)).ToArray();
        return new TrainingProblem<Poisson1D>(
            new ResidualBlock(Poisson1D.InteriorFunction, interior, points, Weight: 1.0 / points),
            new ResidualBlock(Poisson1D.BoundaryFunction, [0.0, 1.0], 2, Weight: 0.5));
    }

    /// <summary>Relative L2 error of u against sin(πx) on 201 test points.</summary>
    private static double RelativeError(double[] theta)
    {
        var x = Enumerable.Range(0, 201).Select(i => i / 200.0).ToArray();
        var u = NGGen.Checking.GradientChecker.Forward<Poisson1D, double>(Poisson1D.UFunction, theta, x, x.Length);
        double num = 0, den = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = Math.Sin(Math.PI * x[i]);
            num += (u[i] - exact) * (u[i] - exact);
            den += exact * exact;
        }
        return Math.Sqrt(num / den);
    }

    /// <summary>
    /// ENGD is not globally convergent: its trajectory is chaotic on the early plateau, and from about
    /// 7% of initialisations it stalls for hundreds of iterations (measured: 56 of 60 seeds converge
    /// within 300 iterations). A last-bit difference in a dot product can flip one run between the
    /// two outcomes, so the claim tested is the robust one: most seeds reach 1e-5 and Adam, given 20×
    /// the iterations, stays at least 100× worse than the typical ENGD run.
    /// </summary>
    [Fact]
    public void Energy_natural_gradient_solves_a_1d_poisson_pinn_far_beyond_adam()
    {
        var problem = OneDimensionalPoisson(40);
        var engdErrors = new List<double>();
        var adamErrors = new List<double>();
        for (ulong seed = 1; seed <= 5; seed++)
        {
            var start = new double[Poisson1D.ParameterCount];
            Poisson1D.InitializeParameters<double>(start, seed);
            var engd = (double[])start.Clone();
            var summary = EnergyNaturalGradient.Solve(problem, engd, new EnergyNaturalGradientOptions { MaxIterations = 300 });
            var adam = (double[])start.Clone();
            var adamSummary = Adam.Solve(problem, adam, new AdamOptions { MaxIterations = 20 * summary.Iterations, LearningRate = 1e-2 });
            engdErrors.Add(RelativeError(engd));
            adamErrors.Add(RelativeError(adam));
            output.WriteLine($"seed {seed}: ENGD {summary.Iterations} iterations, loss {summary.FinalCost:E3}, relative L2 {engdErrors[^1]:E3} ({summary.Termination}); " +
                $"Adam {adamSummary.Iterations} iterations, relative L2 {adamErrors[^1]:E3}");
        }
        int converged = engdErrors.Count(e => e <= 1e-5);
        double engdMedian = engdErrors.Order().ElementAt(2), adamMedian = adamErrors.Order().ElementAt(2);
        Assert.True(converged >= 3, $"only {converged} of 5 ENGD runs reached 1e-5: [{string.Join(", ", engdErrors.Select(e => e.ToString("E2")))}]");
        Assert.True(engdErrors.Min() <= 1e-8, $"best ENGD error {engdErrors.Min():E2}");
        Assert.True(adamMedian >= 100 * engdMedian, $"Adam median {adamMedian:E2} vs ENGD median {engdMedian:E2}");
    }

    [Fact]
    public void Adam_converges_to_the_least_squares_minimiser_of_a_linear_fit()
    {
        // y = a·e^(−b t) + c is linear in (a, c) for fixed b; with data generated at a = 2, b = 1.3, c = −0.5
        // the exact minimiser is those values. Adam (first order) gets there to ~1e-6.
        var t = Enumerable.Range(0, 40).Select(i => i / 10.0).ToArray();
        var y = t.Select(v => 2 * Math.Exp(-1.3 * v) - 0.5).ToArray();
        var problem = new TrainingProblem<DecayWithOffset.Compiled>(new ResidualBlock(0, t, t.Length, y, 1.0 / t.Length));
        double[] theta = [1, 1, 0];
        var summary = Adam.Solve(problem, theta, new AdamOptions { MaxIterations = 40_000, LearningRate = 1e-2 });
        output.WriteLine($"Adam: θ = [{string.Join(", ", theta.Select(v => v.ToString("F8")))}], cost {summary.FinalCost:E3}");
        Assert.Equal(2.0, theta[0], 1e-4);
        Assert.Equal(1.3, theta[1], 1e-4);
        Assert.Equal(-0.5, theta[2], 1e-4);
    }

    [Fact]
    public void Cholesky_solves_a_known_spd_system_and_rejects_an_indefinite_one()
    {
        // A = B Bᵀ + I with B known; x* chosen, b = A x*.
        double[] b3 = [2, -1, 0, 1, 3, 1, 0.5, 0, 1];
        var a = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                for (int k = 0; k < 3; k++)
                    a[i * 3 + j] += b3[i * 3 + k] * b3[j * 3 + k];
                if (i == j)
                    a[i * 3 + j] += 1;
            }
        double[] truth = [1.5, -2, 0.25];
        var rhs = new double[3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                rhs[i] += a[i * 3 + j] * truth[j];
        var cholesky = new Cholesky(3);
        Assert.True(cholesky.TryFactor(a, 3));
        var x = new double[3];
        cholesky.Solve(rhs, x);
        for (int i = 0; i < 3; i++)
            Assert.Equal(truth[i], x[i], 1e-13);
        Assert.False(cholesky.TryFactor([1, 2, 2, 1], 2));
    }
}
