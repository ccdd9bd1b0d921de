using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

public class RobustLossTests(ITestOutputHelper output)
{
    // A noise-free line y = 0.8 t − 0.3 on 40 points, with 4 gross outliers (+5).
    private static (double[] T, double[] Y) LineWithOutliers()
    {
        var t = Enumerable.Range(0, 40).Select(i => i / 10.0).ToArray();
        var y = t.Select(v => 0.8 * v - 0.3).ToArray();
        foreach (int i in new[] { 5, 17, 28, 36 })
            y[i] += 5;
        return (t, y);
    }

    private static double FiniteDifferenceGradientNorm(TrainingProblem<Line.Compiled> problem, double[] theta)
    {
        var scratch = new double[problem.ResidualCount];
        double worst = 0;
        for (int j = 0; j < theta.Length; j++)
        {
            const double h = 1e-6;
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[j] += h;
            minus[j] -= h;
            worst = Math.Max(worst, Math.Abs((problem.Cost(plus, scratch) - problem.Cost(minus, scratch)) / (2 * h)));
        }
        return worst;
    }

    [Theory]
    [InlineData(RobustLossKind.Cauchy, 0.1, 2e-3)]
    [InlineData(RobustLossKind.SoftL1, 0.1, 2e-2)]
    [InlineData(RobustLossKind.Huber, 0.1, 2e-2)]
    public void Levenberg_marquardt_with_a_robust_loss_ignores_gross_outliers(RobustLossKind kind, double scale, double tolerance)
    {
        var (t, y) = LineWithOutliers();
        var robust = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, t, t.Length, y, Loss: new RobustLoss(kind, scale)));
        var plain = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, t, t.Length, y));
        double[] robustTheta = [0, 0], plainTheta = [0, 0];
        var options = new LevenbergMarquardtOptions { MaxIterations = 200, FunctionTolerance = 1e-14, ParameterTolerance = 1e-14 };
        var summary = LevenbergMarquardt.Solve(robust, robustTheta, options);
        LevenbergMarquardt.Solve(plain, plainTheta, options);
        double robustError = Math.Max(Math.Abs(robustTheta[0] - 0.8), Math.Abs(robustTheta[1] + 0.3));
        double plainError = Math.Max(Math.Abs(plainTheta[0] - 0.8), Math.Abs(plainTheta[1] + 0.3));
        double stationarity = FiniteDifferenceGradientNorm(robust, robustTheta);
        output.WriteLine($"{kind}: θ = ({robustTheta[0]:F6}, {robustTheta[1]:F6}), error {robustError:E2} vs least squares {plainError:E2}; " +
            $"|∇ robust cost| by finite differences {stationarity:E2}; {summary.Termination} after {summary.Iterations}");
        Assert.True(robustError <= tolerance, $"robust error {robustError:E2}");
        Assert.True(plainError > 10 * robustError, $"least squares {plainError:E2} vs robust {robustError:E2}");
        Assert.True(stationarity <= 1e-6, $"robust cost gradient {stationarity:E2}: LM did not stop at a stationary point");
    }

    [Theory]
    [InlineData(1e-20)]
    [InlineData(1e-12)]
    [InlineData(1e-6)]
    public void Robust_losses_are_least_squares_for_small_residuals_to_full_precision(double s)
    {
        // At c = 1: soft-L1 2(√(1 + s) − 1) = s − s²/4 + s³/8 − ..., Cauchy log(1 + s) = s − s²/2 + s³/3 − ...
        // (the next terms are below 1e-18 relative here). Written directly both lose digits and give 0 at 1e-20.
        Assert.Equal(s * (1 - (s / 4) + (s * s / 8)), new RobustLoss(RobustLossKind.SoftL1).Evaluate(s).Value, 1e-15 * s);
        Assert.Equal(s * (1 - (s / 2) + (s * s / 3)), new RobustLoss(RobustLossKind.Cauchy).Evaluate(s).Value, 1e-15 * s);
    }

    [Fact]
    public void Robust_loss_values_match_their_definitions()
    {
        // c = 2, s = 9 (r = 3): Huber 2c|r| − c² = 8, soft-L1 2c²(√(1 + s/c²) − 1) = 8(√3.25 − 1), Cauchy c² log(1 + s/c²) = 4 log 3.25.
        Assert.Equal(8.0, new RobustLoss(RobustLossKind.Huber, 2).Evaluate(9).Value, 1e-14);
        Assert.Equal(8 * (Math.Sqrt(3.25) - 1), new RobustLoss(RobustLossKind.SoftL1, 2).Evaluate(9).Value, 1e-14);
        Assert.Equal(4 * Math.Log(3.25), new RobustLoss(RobustLossKind.Cauchy, 2).Evaluate(9).Value, 1e-14);
        foreach (var kind in new[] { RobustLossKind.Huber, RobustLossKind.SoftL1, RobustLossKind.Cauchy })
        {
            // ρ' and ρ'' against central differences of ρ.
            var loss = new RobustLoss(kind, 2);
            const double s = 9, h = 1e-4;
            double first = (loss.Evaluate(s + h).Value - loss.Evaluate(s - h).Value) / (2 * h);
            double second = (loss.Evaluate(s + h).First - loss.Evaluate(s - h).First) / (2 * h);
            Assert.Equal(first, loss.Evaluate(s).First, 1e-8);
            Assert.Equal(second, loss.Evaluate(s).Second, 1e-8);
        }
    }

    [Fact]
    public void Solvers_that_assume_least_squares_refuse_robust_losses()
    {
        var (t, y) = LineWithOutliers();
        var problem = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, t, t.Length, y, Loss: new RobustLoss(RobustLossKind.Cauchy)));
        var error = Assert.Throws<NotSupportedException>(() => EnergyNaturalGradient.Solve(problem, new double[2]));
        Assert.Contains("LevenbergMarquardt", error.Message);
    }
}
