using NGGen.Checking;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>
/// <see cref="TrainingProblem{TModel}"/>'s stacked VJPs with <see cref="GradientWrite.Overwrite"/>: the first block
/// overwrites and the others add, so the result equals the accumulating form into zeros, and nothing the gradient
/// held before is read.
/// </summary>
public class TrainingProblemWriteTests
{
    // The Poisson PINN's two residuals (interior, weighted, and boundary) as two blocks of one problem, evaluated
    // (so linearized) at random parameters.
    private static (TrainingProblem<PoissonNet> Problem, double[] Theta) TwoBlocksEvaluated(Random random)
    {
        int interior = 40, boundary = 12;
        var xInterior = Enumerable.Range(0, 2 * interior).Select(_ => random.NextDouble()).ToArray();
        var xBoundary = Enumerable.Range(0, 2 * boundary).Select(_ => random.NextDouble()).ToArray();
        var problem = new TrainingProblem<PoissonNet>(
            new ResidualBlock(PoissonNet.InteriorFunction, xInterior, interior, Weight: 2.5),
            new ResidualBlock(PoissonNet.BoundaryFunction, xBoundary, boundary));
        var theta = GradientChecker.RandomParameters<PoissonNet>(random);
        problem.Evaluate(theta, new double[problem.ResidualCount]);
        return (problem, theta);
    }

    [Fact]
    public void Overwriting_equals_accumulating_into_zeros_for_every_block()
    {
        var random = new Random(12);
        var (problem, theta) = TwoBlocksEvaluated(random);
        int m = problem.ResidualCount, p = problem.ParameterCount;
        var u = GradientChecker.RandomVector(random, m);
        var scratch = new double[m];

        foreach (bool linearized in new[] { false, true })
        {
            void Run(double[] gradient, GradientWrite write)
            {
                if (linearized)
                    problem.LinearizedVjp(theta, u, gradient, scratch, write);
                else
                    problem.Vjp(theta, u, gradient, scratch, write);
            }

            var intoZeros = new double[p];
            Run(intoZeros, GradientWrite.Accumulate);
            var overwritten = Enumerable.Repeat(double.NaN, p).ToArray();
            Run(overwritten, GradientWrite.Overwrite);
            Assert.Equal(intoZeros, overwritten);
            Assert.Contains(intoZeros, v => v != 0);
        }
    }

    [Fact]
    public void Gauss_newton_product_overwrites_its_result_and_matches_the_dense_jacobian()
    {
        var random = new Random(13);
        var (problem, theta) = TwoBlocksEvaluated(random);
        int m = problem.ResidualCount, p = problem.ParameterCount;
        var v = GradientChecker.RandomVector(random, p);
        var product = Enumerable.Repeat(double.NaN, p).ToArray();
        problem.GaussNewtonProduct(theta, v, product, new double[m]);

        // Least squares: H = I, so G·v = Jᵀ(J v) from the dense Jacobian.
        var jacobian = new double[m * p];
        problem.Jacobian(theta, jacobian);
        var jv = new double[m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < p; j++)
                jv[i] += jacobian[(i * p) + j] * v[j];
        double scale = 0, worst = 0;
        for (int j = 0; j < p; j++)
        {
            double expected = 0;
            for (int i = 0; i < m; i++)
                expected += jacobian[(i * p) + j] * jv[i];
            scale = Math.Max(scale, Math.Abs(expected));
            worst = Math.Max(worst, Math.Abs(product[j] - expected));
        }
        Assert.True(worst <= 1e-12 * scale, $"G·v differs from JᵀJv by {worst:E2} (scale {scale:E2})");
    }
}
