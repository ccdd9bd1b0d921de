using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>
/// Kerekes, Mészáros and Huszár (2021): when J has full row rank, natural-gradient flow moves the outputs
/// as Ḟ = −∇_F L whatever the depth or parameterization. Discrete NGD with step η follows that flow up
/// to O(η) at a fixed time, so the output trajectories of depths 1–4 started from the same outputs
/// agree up to a gap that shrinks about 4× when η shrinks 4×.
/// </summary>
public class DeepLinearNaturalGradientTests(ITestOutputHelper output)
{
    private static readonly double[] s_inputs = [0.9, -0.4, 0.3, 0.2, 0.7, -0.8, -0.5, 0.1, 0.6]; // 3 features × 3 samples
    private static readonly double[] s_targets = [1.0, -0.5, 0.25];
    private static readonly double[] s_a = [0.4, -0.3, 0.5];
    private const int Samples = 3;

    /// <summary>θ with the last layer a and identity hidden layers: every depth starts from outputs aᵀxₛ.</summary>
    private static double[] MatchedStart<TModel>() where TModel : IModel<TModel>
    {
        var theta = new double[TModel.ParameterCount];
        foreach (var p in TModel.Parameters)
        {
            if (p.Shape[0] == 1)
                s_a.CopyTo(theta, p.Offset);
            else
                for (int i = 0; i < 3; i++)
                    theta[p.Offset + i * 3 + i] = 1;
        }
        return theta;
    }

    /// <summary>The outputs after NGD (M = I) with step η run to time T = η·steps.</summary>
    private static double[] OutputsAt<TModel>(double eta, int steps) where TModel : IModel<TModel>
    {
        var problem = new TrainingProblem<TModel>(new ResidualBlock(0, s_inputs, Samples, s_targets));
        var ngd = new KernelNaturalGradient<TModel>(problem, OutputMetric.Identity);
        var theta = MatchedStart<TModel>();
        var direction = new double[TModel.ParameterCount];
        for (int k = 0; k < steps; k++)
        {
            ngd.Direction(theta, direction);
            for (int j = 0; j < theta.Length; j++)
                theta[j] += eta * direction[j];
        }
        return NGGen.Checking.GradientChecker.Forward<TModel, double>(0, theta, s_inputs, Samples);
    }

    private static double Gap(double eta, int steps)
    {
        var depth1 = OutputsAt<DeepLinear1>(eta, steps);
        double gap = 0;
        foreach (var other in new[] { OutputsAt<DeepLinear2>(eta, steps), OutputsAt<DeepLinear3>(eta, steps), OutputsAt<DeepLinear4>(eta, steps) })
            for (int s = 0; s < Samples; s++)
                gap = Math.Max(gap, Math.Abs(other[s] - depth1[s]));
        return gap;
    }

    [Fact]
    public void Output_trajectories_of_depths_1_to_4_agree_up_to_the_step_size_error()
    {
        // Same matched start for every depth.
        var start1 = NGGen.Checking.GradientChecker.Forward<DeepLinear1, double>(0, MatchedStart<DeepLinear1>(), s_inputs, Samples);
        var start4 = NGGen.Checking.GradientChecker.Forward<DeepLinear4, double>(0, MatchedStart<DeepLinear4>(), s_inputs, Samples);
        for (int s = 0; s < Samples; s++)
            Assert.Equal(start1[s], start4[s], 1e-15);

        // Run to T = 1 with η = 0.05 and η = 0.0125 (small enough for the O(η) regime: the ratio tends to 4).
        double coarse = Gap(0.05, 20), fine = Gap(0.0125, 80);
        // Depth 1 is linear in θ, so its NGD outputs follow F − y ← (1 − η)(F − y) exactly.
        var depth1 = OutputsAt<DeepLinear1>(0.05, 20);
        for (int s = 0; s < Samples; s++)
            Assert.Equal(s_targets[s] + Math.Pow(0.95, 20) * (start1[s] - s_targets[s]), depth1[s], 1e-12);
        output.WriteLine($"largest output gap between depths at T = 1: η = 0.05 → {coarse:E3}, η = 0.0125 → {fine:E3} (ratio {coarse / fine:F2})");
        Assert.True(coarse > 0);
        Assert.True(coarse / fine >= 3, $"gap ratio {coarse / fine:F2}");
    }
}
