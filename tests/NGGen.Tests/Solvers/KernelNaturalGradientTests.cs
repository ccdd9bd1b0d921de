using NGGen.Checking;
using NGGen.LinearAlgebra;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

public class KernelNaturalGradientTests(ITestOutputHelper output)
{
    // A scalar-output recurrent model with 54 parameters on 20 samples: J (20×54) has full row rank.
    private static (TrainingProblem<Recurrent> Problem, double[] Inputs, double[] Theta) Setup()
    {
        const int batch = 20;
        var random = new Random(21);
        var inputs = Enumerable.Range(0, 4 * batch).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var targets = Enumerable.Range(0, batch).Select(_ => random.NextDouble() - 0.5).ToArray();
        var theta = GradientChecker.RandomParameters<Recurrent>(random);
        return (new TrainingProblem<Recurrent>(new ResidualBlock(0, inputs, batch, targets)), inputs, theta);
    }

    [Fact]
    public void Identity_metric_equals_the_plain_natural_gradient_from_the_parameter_space_pseudo_inverse()
    {
        var (problem, _, theta) = Setup();
        int m = problem.ResidualCount, p = problem.ParameterCount;
        var kernelForm = new double[p];
        new KernelNaturalGradient<Recurrent>(problem, OutputMetric.Identity).Direction(theta, kernelForm);

        // Independent route: −G⁺g with G = JᵀJ from a Jacobi eigendecomposition in parameter space.
        var jacobian = new double[m * p];
        problem.Jacobian(theta, jacobian);
        var r = new double[m];
        problem.Residuals(theta, r);
        var g = new double[p];
        var gram = new double[p * p];
        for (int i = 0; i < m; i++)
            for (int a = 0; a < p; a++)
            {
                g[a] += jacobian[i * p + a] * r[i];
                for (int b = 0; b < p; b++)
                    gram[a * p + b] += jacobian[i * p + a] * jacobian[i * p + b];
            }
        var eigen = new SymmetricEigen(p);
        eigen.Decompose(gram, p);
        var parameterForm = new double[p];
        eigen.SolvePseudoInverse(g, parameterForm, 1e-12);
        for (int j = 0; j < p; j++)
            parameterForm[j] = -parameterForm[j];

        double difference = GradientChecker.RelativeL2Difference(kernelForm, parameterForm);
        output.WriteLine($"kernel form vs −G⁺g: relative difference {difference:E2}");
        Assert.True(difference <= 1e-8, $"{difference:E2}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Sobolev_step_moves_the_outputs_by_the_kernel_smoothed_gradient(int smoothness)
    {
        var (problem, inputs, theta) = Setup();
        int m = problem.ResidualCount, p = problem.ParameterCount;
        var kernel = new double[m * m];
        MaternKernel.Build(inputs, 4, m, smoothness, lengthScale: 0.7, kernel);
        var direction = new double[p];
        new KernelNaturalGradient<Recurrent>(problem, OutputMetric.InverseKernel, kernel).Direction(theta, direction);

        // Function-space step on the samples, J δ, against −K ∇_F L = −K r.
        var moved = new double[m];
        problem.Jvp(theta, direction, moved);
        var r = new double[m];
        problem.Residuals(theta, r);
        var expected = new double[m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
                expected[a] -= kernel[a * m + b] * r[b];
        double difference = GradientChecker.RelativeL2Difference(moved, expected);
        output.WriteLine($"Matérn s = {smoothness}: ‖Jδ + K∇L‖/‖K∇L‖ = {difference:E2}");
        Assert.True(difference <= 1e-8, $"{difference:E2}");
    }
}
