using NGGen.Checking;
using NGGen.Tests.Models;

namespace NGGen.Tests.Generated;

/// <summary>Generated input derivatives (Grad, Laplacian) against closed forms and finite differences.</summary>
public class InputDerivativeTests(ITestOutputHelper output)
{
    [Fact]
    public void Laplacian_and_gradient_match_closed_forms()
    {
        // u = a·x₀²·x₁³ + b·sin(x₀)·e^x₁: Δu = a(2x₁³ + 6x₀²x₁), ∇u = (2a·x₀x₁³ + b·cos x₀·e^x₁, 3a·x₀²x₁² + b·sin x₀·e^x₁).
        const int batch = 37;
        double a = 1.7, b = -0.6;
        double[] theta = [a, b];
        var inputs = GradientChecker.RandomInputs<LaplacianProbe>(new Random(11), LaplacianProbe.LaplacianOfUFunction, batch);
        var laplacian = GradientChecker.Forward<LaplacianProbe, double>(LaplacianProbe.LaplacianOfUFunction, theta, inputs, batch);
        var gradient = GradientChecker.Forward<LaplacianProbe, double>(LaplacianProbe.GradientOfUFunction, theta, inputs, batch);
        double worst = 0;
        for (int s = 0; s < batch; s++)
        {
            double x0 = inputs[s], x1 = inputs[batch + s];
            double lap = a * (2 * x1 * x1 * x1 + 6 * x0 * x0 * x1);
            double g0 = 2 * a * x0 * x1 * x1 * x1 + b * Math.Cos(x0) * Math.Exp(x1);
            double g1 = 3 * a * x0 * x0 * x1 * x1 + b * Math.Sin(x0) * Math.Exp(x1);
            worst = Math.Max(worst, Math.Abs(laplacian[s] - lap) / Math.Max(1, Math.Abs(lap)));
            worst = Math.Max(worst, Math.Abs(gradient[s] - g0) / Math.Max(1, Math.Abs(g0)));
            worst = Math.Max(worst, Math.Abs(gradient[batch + s] - g1) / Math.Max(1, Math.Abs(g1)));
        }
        output.WriteLine($"closed-form Laplacian/gradient: max relative error {worst:E2}");
        Assert.True(worst <= 1e-13, $"max relative error {worst:E2}");
    }

    [Fact]
    public void Poisson_residual_laplacian_matches_finite_differences_of_the_network()
    {
        // Interior = −Δu − f, so Δu = −(Interior + f); compare with a 5-point stencil on the generated U.
        const int batch = 25;
        const double h = 1e-4;
        var random = new Random(12);
        var theta = GradientChecker.RandomParameters<PoissonNet>(random);
        var x = GradientChecker.RandomInputs<PoissonNet>(random, PoissonNet.InteriorFunction, batch, 0, 1);
        var interior = GradientChecker.Forward<PoissonNet, double>(PoissonNet.InteriorFunction, theta, x, batch);
        var center = GradientChecker.Forward<PoissonNet, double>(PoissonNet.UFunction, theta, x, batch);
        var stencil = new double[batch];
        for (int dim = 0; dim < 2; dim++)
            foreach (int sign in new[] { 1, -1 })
            {
                var shifted = (double[])x.Clone();
                for (int s = 0; s < batch; s++)
                    shifted[dim * batch + s] += sign * h;
                var u = GradientChecker.Forward<PoissonNet, double>(PoissonNet.UFunction, theta, shifted, batch);
                for (int s = 0; s < batch; s++)
                    stencil[s] += u[s] / (h * h);
            }
        double worst = 0;
        for (int s = 0; s < batch; s++)
        {
            double fd = stencil[s] - 4 * center[s] / (h * h);
            double source = 2 * Math.PI * Math.PI * Math.Sin(Math.PI * x[s]) * Math.Sin(Math.PI * x[batch + s]);
            double generated = -(interior[s] + source);
            worst = Math.Max(worst, Math.Abs(generated - fd) / Math.Max(1, Math.Abs(fd)));
        }
        output.WriteLine($"Poisson Laplacian vs 5-point stencil (h = {h}): max relative error {worst:E2}");
        Assert.True(worst <= 1e-5, $"max relative error {worst:E2}");
    }
}
