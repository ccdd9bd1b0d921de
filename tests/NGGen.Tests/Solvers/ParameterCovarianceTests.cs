using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>Standard errors against NIST StRD's certified values (Misra1a, Rat43; 11 certified digits), and the
/// errors the covariance gives on data that cannot determine it.</summary>
public class ParameterCovarianceTests
{
    // NIST StRD Misra1a: x, y, certified b and standard deviations of the estimates.
    private static readonly double[] s_misraX = [77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0];
    private static readonly double[] s_misraY = [10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78];

    // NIST StRD Rat43.
    private static readonly double[] s_ratX = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    private static readonly double[] s_ratY = [16.08, 33.83, 65.80, 97.20, 191.55, 326.20, 386.87, 520.53, 590.03, 651.92, 724.93, 699.56, 689.96, 637.56, 717.41];

    [Fact]
    public void Misra1aStandardErrorsMatchTheCertifiedValues()
    {
        var problem = new TrainingProblem<Exponential.Compiled>(new ResidualBlock(0, s_misraX, s_misraX.Length, s_misraY));
        var covariance = ParameterCovariance.Compute(problem, [2.3894212918E+02, 5.5015643181E-04]);
        Assert.True(Digits(covariance.StandardErrors[0], 2.7070075241E+00) >= 8, $"b1: {covariance.StandardErrors[0]:R}");
        Assert.True(Digits(covariance.StandardErrors[1], 7.2668688436E-06) >= 8, $"b2: {covariance.StandardErrors[1]:R}");
        // NIST's residual standard deviation √σ² = 1.0187876330E-01.
        Assert.True(Digits(Math.Sqrt(covariance.ResidualVariance), 1.0187876330E-01) >= 9);
    }

    [Fact]
    public void Rat43StandardErrorsMatchTheCertifiedValues()
    {
        var problem = new TrainingProblem<Rat43.Compiled>(new ResidualBlock(0, s_ratX, s_ratX.Length, s_ratY));
        var covariance = ParameterCovariance.Compute(problem, [6.9964151270E+02, 5.2771253025E+00, 7.5962938329E-01, 1.2792483859E+00]);
        double[] certified = [1.6302297817E+01, 2.0828735829E+00, 1.9566123451E-01, 6.8761936385E-01];
        for (int k = 0; k < 4; k++)
            Assert.True(Digits(covariance.StandardErrors[k], certified[k]) >= 7, $"b{k + 1}: {covariance.StandardErrors[k]:R} vs {certified[k]:R}");
        // The covariance is symmetric and its correlations are correlations.
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(covariance.Covariance[i * 4 + j], covariance.Covariance[j * 4 + i], 1e-12 * Math.Abs(covariance.Covariance[i * 4 + i] + covariance.Covariance[j * 4 + j]));
                Assert.InRange(covariance.Correlation(i, j), -1 - 1e-12, 1 + 1e-12);
            }
    }

    [Fact]
    public void UnidentifiableParametersAreNamed()
    {
        // Every sample at t = 2: the columns of J for a and c are proportional, so a and c are not separately determined.
        double[] t = [2, 2, 2, 2], y = [1, 2, 3, 4];
        var problem = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, t, t.Length, y));
        var error = Assert.Throws<ArgumentException>(() => ParameterCovariance.Compute(problem, [1.0, 1.0]));
        Assert.Contains("rank-deficient", error.Message);
        Assert.Contains("parameter c", error.Message);
    }

    [Fact]
    public void TooFewResidualsAreRefused()
    {
        double[] t = [1, 2], y = [1, 2];
        var problem = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, t, t.Length, y));
        var error = Assert.Throws<ArgumentException>(() => ParameterCovariance.Compute(problem, [1.0, 0.0]));
        Assert.Contains("m = 2, p = 2", error.Message);
    }

    [Fact]
    public void RobustWeightsDiscountOutliersInTheVariance()
    {
        // A line through exact data plus one gross outlier: with a Cauchy loss the IRLS weight of the outlier is tiny,
        // so σ² follows the weighted sum Σρ'(r²)r² / (m − p), checked here against a direct computation.
        double[] t = [0, 1, 2, 3, 4, 5], y = [0, 1, 2, 3, 4, 50];
        var cauchy = new RobustLoss(RobustLossKind.Cauchy, 0.5);
        var problem = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, t, t.Length, y, Loss: cauchy));
        double[] theta = [1.0, 0.0];
        var covariance = ParameterCovariance.Compute(problem, theta);
        double r = 5 - 50, weight = cauchy.Evaluate(r * r).First;
        Assert.Equal(weight * r * r / 4, covariance.ResidualVariance, 1e-12);
        Assert.True(covariance.ResidualVariance < 0.01 * (r * r / 4));
    }

    /// <summary>Correct significant digits, −log10 of the relative error (NIST's LRE).</summary>
    private static double Digits(double value, double certified) =>
        value == certified ? 15 : -Math.Log10(Math.Abs(value - certified) / Math.Abs(certified));
}
