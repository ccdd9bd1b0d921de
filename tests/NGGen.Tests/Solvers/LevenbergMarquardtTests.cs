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

    [Fact]
    public void Nan_in_the_data_is_refused_with_the_block_and_index()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingProblem<Beale.Compiled>(new ResidualBlock(0, [1.0, double.NaN, 3.0], 3, [1.5, 2.25, 2.625])));
        Assert.Contains("index 1", error.Message);
        Assert.Contains("inputs", error.Message);
    }
}
