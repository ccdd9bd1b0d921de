using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>Levenberg-Marquardt recovers the known minimisers of classic problems to ≥ 9 digits.</summary>
public class LevenbergMarquardtTests(ITestOutputHelper output)
{
    private static readonly LevenbergMarquardtOptions s_tight = new()
    {
        MaxIterations = 500,
        FunctionTolerance = 1e-16,
        GradientTolerance = 1e-30,
        ParameterTolerance = 1e-16,
    };

    /// <summary>Correct significant digits: −log10(|x − x*| / |x*|), absolute for x* = 0, capped at 16.</summary>
    private static double CorrectDigits(double x, double truth)
    {
        double error = truth == 0 ? Math.Abs(x) : Math.Abs(x - truth) / Math.Abs(truth);
        return error == 0 ? 16 : Math.Min(16, -Math.Log10(error));
    }

    private void Check<TModel>(TrainingProblem<TModel> problem, double[] start, double[] truth) where TModel : IModel<TModel>
    {
        var theta = (double[])start.Clone();
        var summary = LevenbergMarquardt.Solve(problem, theta, s_tight);
        var digits = theta.Select((x, i) => CorrectDigits(x, truth[i])).ToArray();
        output.WriteLine($"{TModel.Name}: {summary.Termination} after {summary.Iterations} iterations, cost {summary.FinalCost:E3}, digits [{string.Join(", ", digits.Select(d => d.ToString("F1")))}]");
        Assert.True(digits.Min() >= 9, $"{TModel.Name}: x = [{string.Join(", ", theta.Select(v => v.ToString("R")))}], digits {digits.Min():F1}\n{summary.FullReport()}");
    }

    private static TrainingProblem<TModel> SingleSample<TModel>() where TModel : IModel<TModel> =>
        new(new ResidualBlock(0, [0.0], 1));

    [Fact]
    public void Rosenbrock() => Check(SingleSample<Rosenbrock.Compiled>(), [-1.2, 1], [1, 1]);

    [Fact]
    public void Freudenstein_roth_from_a_start_in_the_basin_of_the_global_minimum() =>
        Check(SingleSample<FreudensteinRoth.Compiled>(), [6, 3], [5, 4]);

    [Fact]
    public void Powell_singular() => Check(SingleSample<PowellSingular.Compiled>(), [3, -1, 0, 1], [0, 0, 0, 0]);

    [Fact]
    public void Brown_badly_scaled() => Check(SingleSample<BrownBadlyScaled.Compiled>(), [1, 1], [1e6, 2e-6]);

    [Fact]
    public void Box_three_dimensional() =>
        Check(new TrainingProblem<Box3D.Compiled>(new ResidualBlock(0, Enumerable.Range(1, 10).Select(i => 0.1 * i).ToArray(), 10)), [0, 10, 20], [1, 10, 1]);

    [Fact]
    public void Beale() =>
        Check(new TrainingProblem<Beale.Compiled>(new ResidualBlock(0, [1.0, 2.0, 3.0], 3, [1.5, 2.25, 2.625])), [1, 1], [3, 0.5]);

    [Fact]
    public void Exponential_decay_fit()
    {
        var t = Enumerable.Range(0, 30).Select(i => i / 6.0).ToArray();
        var y = t.Select(v => 2.5 * Math.Exp(-1.3 * v) + 0.4).ToArray();
        Check(new TrainingProblem<DecayWithOffset.Compiled>(new ResidualBlock(0, t, t.Length, y)), [1, 0.5, 0], [2.5, 1.3, 0.4]);
    }

    // NIST StRD Rat43 (higher difficulty): data, both starting points and the certified parameters (11 digits).
    private static readonly double[] s_ratX = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    private static readonly double[] s_ratY = [16.08, 33.83, 65.80, 97.20, 191.55, 326.20, 386.87, 520.53, 590.03, 651.92, 724.93, 699.56, 689.96, 637.56, 717.41];
    private static readonly double[] s_ratCertified = [6.9964151270E+02, 5.2771253025E+00, 7.5962938329E-01, 1.2792483859E+00];

    [Theory]
    [InlineData(100, 10, 1, 1)]
    [InlineData(700, 5, 0.75, 1.3)]
    public void Rat43_gets_past_the_digits_the_cost_can_resolve(double b1, double b2, double b3, double b4)
    {
        // Near the minimum the cost is flat to rounding (Δcost ≈ ½‖JΔb‖² < ε·cost) while the Gauss-Newton step still
        // carries the last digits of b. Judged by the cost ratio alone (Ceres, and this solver before it judged such
        // steps by the cost's rounding error) the fit ends at 7.8-7.9 correct digits; taking the step gives ≥ 8.3.
        var problem = new TrainingProblem<Rat43.Compiled>(new ResidualBlock(0, s_ratX, s_ratX.Length, s_ratY));
        double[] theta = [b1, b2, b3, b4];
        var summary = LevenbergMarquardt.Solve(problem, theta, new LevenbergMarquardtOptions { MaxIterations = 1000, FunctionTolerance = 1e-15, ParameterTolerance = 1e-15, GradientTolerance = 0 });
        double digits = theta.Select((x, i) => CorrectDigits(x, s_ratCertified[i])).Min();
        output.WriteLine($"start ({b1}, {b2}, {b3}, {b4}): {summary.Termination} after {summary.Iterations} iterations, {digits:F2} digits");
        Assert.True(digits >= 8.3, $"{digits:F2} correct digits: [{string.Join(", ", theta.Select(v => v.ToString("R")))}]\n{summary.FullReport()}");
    }

    [Fact]
    public void Column_major_jacobian_matches_central_differences()
    {
        var problem = new TrainingProblem<Rat43.Compiled>(new ResidualBlock(0, s_ratX, s_ratX.Length, s_ratY));
        int m = s_ratX.Length, p = 4;
        var columns = new double[m * p];
        problem.JacobianColumns(s_ratCertified, columns);
        var up = new double[m];
        var down = new double[m];
        for (int j = 0; j < p; j++)
        {
            double h = 1e-6 * Math.Abs(s_ratCertified[j]);
            var plus = (double[])s_ratCertified.Clone();
            var minus = (double[])s_ratCertified.Clone();
            plus[j] += h;
            minus[j] -= h;
            problem.Residuals(plus, up);
            problem.Residuals(minus, down);
            for (int i = 0; i < m; i++)
            {
                double difference = (up[i] - down[i]) / (2 * h);
                // Central differences with h = 1e-6|b_j| are accurate to about 1e-8 relative here.
                Assert.True(Math.Abs(columns[j * m + i] - difference) <= 1e-6 * (1 + Math.Abs(difference)), $"∂r{i}/∂b{j + 1}: {columns[j * m + i]:R} vs {difference:R}");
            }
        }
    }

    [Fact]
    public void Nan_in_the_data_is_refused_with_the_block_and_index()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingProblem<Beale.Compiled>(new ResidualBlock(0, [1.0, double.NaN, 3.0], 3, [1.5, 2.25, 2.625])));
        Assert.Contains("index 1", error.Message);
        Assert.Contains("inputs", error.Message);
    }
}
