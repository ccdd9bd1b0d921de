using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>The Sobolev natural gradient in derivative form (Bai, Rosenberg and Xu 2022) against the
/// closed-form H¹ metric of f(x) = a·sin(bx) + c.</summary>
public class SobolevDerivativeFormTests(ITestOutputHelper output)
{
    private const int N = 25;
    private static readonly double[] s_x = Enumerable.Range(0, N).Select(i => -1.5 + 3.0 * i / (N - 1)).ToArray();
    private static readonly double[] s_y = s_x.Select(x => 1.3 * Math.Sin(2.1 * x) - 0.2 + 0.1 * x * x).ToArray();
    private static readonly double[] s_theta = [0.8, 1.6, 0.3];

    /// <summary>−G⁻¹∇L with G = (J_fᵀJ_f + βJ_∇fᵀJ_∇f)/n from the closed-form Jacobians, solved by Cramer's rule.</summary>
    private static double[] ClosedFormDirection(double beta)
    {
        double a = s_theta[0], b = s_theta[1], c = s_theta[2];
        var g = new double[9];
        var gradient = new double[3];
        foreach (var (x, y) in s_x.Zip(s_y))
        {
            double[] jf = [Math.Sin(b * x), a * x * Math.Cos(b * x), 1];
            double[] jd = [b * Math.Cos(b * x), a * Math.Cos(b * x) - a * b * x * Math.Sin(b * x), 0];
            double residual = a * Math.Sin(b * x) + c - y;
            for (int i = 0; i < 3; i++)
            {
                gradient[i] += jf[i] * residual / N;
                for (int j = 0; j < 3; j++)
                    g[i * 3 + j] += (jf[i] * jf[j] + beta * jd[i] * jd[j]) / N;
            }
        }
        double Det(double[] m) => m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
        double det = Det(g);
        var direction = new double[3];
        for (int k = 0; k < 3; k++)
        {
            var replaced = (double[])g.Clone();
            for (int i = 0; i < 3; i++)
                replaced[i * 3 + k] = -gradient[i];
            direction[k] = Det(replaced) / det;
        }
        return direction;
    }

    private static double[] GeneratedDirection(double beta)
    {
        var loss = new TrainingProblem<SineWave>(new ResidualBlock(SineWave.UFunction, s_x, N, s_y, Weight: 1.0 / N));
        var metric = SobolevMetric.H1<SineWave>(SineWave.UFunction, SineWave.DUFunction, s_x, N, beta);
        var ngd = new NaturalGradient<SineWave>(loss, metric: metric);
        var direction = new double[3];
        ngd.Direction(s_theta, direction);
        return direction;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(4.0)]
    public void Direction_equals_the_closed_form_h1_natural_gradient(double beta)
    {
        var expected = ClosedFormDirection(beta);
        var actual = GeneratedDirection(beta);
        double relative = NGGen.Checking.GradientChecker.MaxAbsDifference(actual, expected) / NGGen.Checking.GradientChecker.MaxAbs(expected);
        output.WriteLine($"β = {beta}: δ = [{string.Join(", ", actual.Select(v => v.ToString("F6")))}], relative error {relative:E2}");
        Assert.True(relative <= 1e-10, $"β = {beta}: {relative:E2}");
    }

    [Fact]
    public void The_derivative_term_changes_the_direction()
    {
        var l2 = GeneratedDirection(0);
        var h1 = GeneratedDirection(1);
        double cosine = NGGen.Checking.GradientChecker.Dot(l2, h1) / (NGGen.Checking.GradientChecker.Norm(l2) * NGGen.Checking.GradientChecker.Norm(h1));
        output.WriteLine($"cos(L² direction, H¹ direction) = {cosine:F4}");
        Assert.True(cosine < 0.99, $"the H¹ metric left the direction almost unchanged (cos {cosine:F4})");
    }

    [Fact]
    public void A_derivative_of_another_shape_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => SobolevMetric.H1<LaplacianProbe>(LaplacianProbe.UFunction, LaplacianProbe.LaplacianOfUFunction, new double[4], 2));
        Assert.Contains("LaplacianOfU has 1 outputs", error.Message);
    }
}
