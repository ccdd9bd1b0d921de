using NGGen.Checking;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>
/// Kerekes, Mészáros and Huszár (2021) on separable logistic regression with fewer samples than inputs:
/// a deep linear network R⁵ → R trained by natural gradient descent converges in direction to the
/// minimum-norm interpolant X⁺y (its outputs move by −H⁻¹g, which grows every margin at the same rate),
/// whatever the depth, while gradient descent heads for the hard-margin SVM direction w_mm (Soudry et al.
/// 2018; Ji and Telgarsky 2019), only logarithmically fast. The end-to-end weight vector w = W_L⋯W_1 is
/// read off the model evaluated on the identity basis.
/// </summary>
public class SeparableLogisticTests(ITestOutputHelper output)
{
    private const int Dimension = 5, Samples = 3;

    // Rows are samples. Sample 1 lies well beyond the max-margin boundary (margin ≈ 1.94 at w_mm), so
    // w_mm ignores it while X⁺y must give it margin 1 too.
    private static readonly double[][] s_samples =
    [
        [1.0, 0.3, 0.0, 0.2, 0.0],
        [2.0, 1.5, 0.5, 0.0, 0.3],
        [-1.0, 0.5, 0.3, 0.0, -0.2],
    ];
    private static readonly double[] s_labels = [1, 1, -1];

    /// <summary>Feature-major inputs: entry i of sample s at i·batch + s.</summary>
    private static double[] Inputs()
    {
        var inputs = new double[Dimension * Samples];
        for (int s = 0; s < Samples; s++)
            for (int i = 0; i < Dimension; i++)
                inputs[i * Samples + s] = s_samples[s][i];
        return inputs;
    }

    /// <summary>Logistic targets (1 + y)/2 ∈ {0, 1}.</summary>
    private static double[] Targets() => s_labels.Select(y => (1 + y) / 2).ToArray();

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }

    private static double Cosine(double[] a, double[] b) => Dot(a, b) / Math.Sqrt(Dot(a, a) * Dot(b, b));

    private static double AngleDegrees(double[] a, double[] b) => Math.Acos(Math.Clamp(Cosine(a, b), -1, 1)) * 180 / Math.PI;

    private static double[] Combine(double[] coefficients)
    {
        var w = new double[Dimension];
        for (int s = 0; s < Samples; s++)
            for (int i = 0; i < Dimension; i++)
                w[i] += coefficients[s] * s_samples[s][i];
        return w;
    }

    private static double[] MinimumNormInterpolant() => MinimumNormSolution(s_labels);

    /// <summary>X⁺v = Xᵀ(XXᵀ)⁻¹v by Gauss-Jordan elimination on the 3×3 Gram matrix (X has full row rank).</summary>
    private static double[] MinimumNormSolution(double[] values)
    {
        var gram = new double[Samples, Samples + 1];
        for (int a = 0; a < Samples; a++)
        {
            for (int b = 0; b < Samples; b++)
                gram[a, b] = Dot(s_samples[a], s_samples[b]);
            gram[a, Samples] = values[a];
        }
        for (int col = 0; col < Samples; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < Samples; r++)
                if (Math.Abs(gram[r, col]) > Math.Abs(gram[pivot, col]))
                    pivot = r;
            for (int k = 0; k <= Samples; k++)
                (gram[col, k], gram[pivot, k]) = (gram[pivot, k], gram[col, k]);
            for (int r = 0; r < Samples; r++)
            {
                if (r == col)
                    continue;
                double factor = gram[r, col] / gram[col, col];
                for (int k = col; k <= Samples; k++)
                    gram[r, k] -= factor * gram[col, k];
            }
        }
        var coefficients = new double[Samples];
        for (int a = 0; a < Samples; a++)
            coefficients[a] = gram[a, Samples] / gram[a, a];
        return Combine(coefficients);
    }

    /// <summary>
    /// w_mm = argmin ½‖w‖² s.t. yᵢwᵀxᵢ ≥ 1 through its dual max Σα − ½‖Σαᵢyᵢxᵢ‖², α ≥ 0, by exact coordinate
    /// ascent (each coordinate maximised in closed form, clipped at 0) until no coordinate moves by 1e-15.
    /// </summary>
    private static (double[] W, double[] Alpha) MaxMargin()
    {
        var q = new double[Samples, Samples];
        for (int a = 0; a < Samples; a++)
            for (int b = 0; b < Samples; b++)
                q[a, b] = s_labels[a] * s_labels[b] * Dot(s_samples[a], s_samples[b]);
        var alpha = new double[Samples];
        for (int sweep = 0; sweep < 1_000_000; sweep++)
        {
            double largestChange = 0;
            for (int a = 0; a < Samples; a++)
            {
                double slack = 1;
                for (int b = 0; b < Samples; b++)
                    slack -= q[a, b] * alpha[b];
                double updated = Math.Max(0, alpha[a] + slack / q[a, a]);
                largestChange = Math.Max(largestChange, Math.Abs(updated - alpha[a]));
                alpha[a] = updated;
            }
            if (largestChange <= 1e-15)
                break;
        }
        return (Combine(alpha.Select((a, s) => a * s_labels[s]).ToArray()), alpha);
    }

    private static double[] Margins(double[] w) => Enumerable.Range(0, Samples).Select(s => s_labels[s] * Dot(w, s_samples[s])).ToArray();

    /// <summary>w = W_L⋯W_1 as the model's outputs on the basis vectors e₁…e₅ (feature-major identity).</summary>
    private static double[] EndToEnd<TModel>(double[] theta) where TModel : IModel<TModel>
    {
        var identity = new double[Dimension * Dimension];
        for (int i = 0; i < Dimension; i++)
            identity[i * Dimension + i] = 1;
        return GradientChecker.Forward<TModel, double>(0, theta, identity, Dimension);
    }

    /// <summary>A small start, the same draw for every run of a depth.</summary>
    private static double[] SmallStart<TModel>() where TModel : IModel<TModel> =>
        GradientChecker.RandomVector(new Random(11), TModel.ParameterCount, 0.1);

    private static TrainingProblem<TModel> Problem<TModel>() where TModel : IModel<TModel> =>
        new(new ResidualBlock(0, Inputs(), Samples, Targets(), OutputLoss: OutputLoss.Logistic));

    private static string Format(double[] values) => string.Join(", ", values.Select(v => v.ToString("F3")));

    [Fact]
    public void Minimum_norm_interpolant_and_max_margin_directions_differ_by_more_than_ten_degrees()
    {
        var pseudoInverse = MinimumNormInterpolant();
        var (maxMargin, alpha) = MaxMargin();

        // KKT of the hard-margin QP (convex, so they certify the optimum): stationarity holds by
        // construction (w = Σαᵢyᵢxᵢ); primal and dual feasibility and complementary slackness:
        var margins = Margins(maxMargin);
        for (int s = 0; s < Samples; s++)
        {
            Assert.True(alpha[s] >= 0);
            Assert.True(margins[s] >= 1 - 1e-12, $"margin {s} = {margins[s]}");
            Assert.True(alpha[s] * Math.Abs(margins[s] - 1) <= 1e-12, $"α{s}·(margin − 1) = {alpha[s] * (margins[s] - 1):E2}");
        }
        // X⁺y interpolates: every margin is exactly 1.
        foreach (double margin in Margins(pseudoInverse))
            Assert.Equal(1, margin, 1e-12);

        double angle = AngleDegrees(pseudoInverse, maxMargin);
        var meanDirection = Combine(s_labels);
        output.WriteLine($"X⁺y = [{Format(pseudoInverse)}], ‖X⁺y‖ = {Math.Sqrt(Dot(pseudoInverse, pseudoInverse)):F4}");
        output.WriteLine($"w_mm = [{Format(maxMargin)}], ‖w_mm‖ = {Math.Sqrt(Dot(maxMargin, maxMargin)):F4}, α = [{Format(alpha)}], margins [{Format(margins)}]");
        output.WriteLine($"angle(X⁺y, w_mm) = {angle:F2}°; GD's first direction Xᵀy is {AngleDegrees(meanDirection, maxMargin):F2}° from w_mm and {AngleDegrees(meanDirection, pseudoInverse):F2}° from X⁺y");
        Assert.True(angle >= 10, $"{angle:F2}°");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Natural_gradient_descent_converges_to_the_minimum_norm_interpolant_direction(int depth)
    {
        switch (depth)
        {
            case 1: NaturalGradientRun<WideDeepLinear1>(depth); break;
            case 2: NaturalGradientRun<WideDeepLinear2>(depth); break;
            case 3: NaturalGradientRun<WideDeepLinear3>(depth); break;
            default: NaturalGradientRun<WideDeepLinear4>(depth); break;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Gradient_descent_heads_for_the_max_margin_direction(int depth)
    {
        switch (depth)
        {
            case 1: GradientDescentRun<WideDeepLinear1>(depth); break;
            case 2: GradientDescentRun<WideDeepLinear2>(depth); break;
            case 3: GradientDescentRun<WideDeepLinear3>(depth); break;
            default: GradientDescentRun<WideDeepLinear4>(depth); break;
        }
    }

    private void NaturalGradientRun<TModel>(int depth) where TModel : IModel<TModel>
    {
        var pseudoInverse = MinimumNormInterpolant();
        var maxMargin = MaxMargin().W;
        var theta = SmallStart<TModel>();
        // Discrete NGD follows the natural-gradient flow up to O(η); from the small start the step is
        // capped relative to ‖θ‖, which changes the speed along the flow, not its path.
        var options = new NaturalGradientOptions { LearningRate = 0.2, MaxIterations = 300, MaxRelativeStep = 0.05 };
        var summary = new NaturalGradient<TModel>(Problem<TModel>(), options).Solve(theta);
        var w = EndToEnd<TModel>(theta);
        double cosine = Cosine(w, pseudoInverse);
        var margins = Margins(w);
        double spread = (margins.Max() - margins.Min()) / margins.Average();
        // The part of w outside the row space of X changes no output; it is what keeps cos below 1 when the
        // margins are equal (then the row-space part X⁺Xw is exactly parallel to X⁺y).
        var rowSpacePart = MinimumNormSolution(Enumerable.Range(0, Samples).Select(s => Dot(w, s_samples[s])).ToArray());
        double nullShare = Math.Sqrt(w.Select((v, i) => (v - rowSpacePart[i]) * (v - rowSpacePart[i])).Sum() / Dot(w, w));
        output.WriteLine($"depth {depth} NGD: {summary.Iterations} iterations ({summary.Termination}: {summary.Message}), cost {summary.FinalCost:E3}");
        output.WriteLine($"  cos(w, X⁺y) = {cosine:F6}, cos(w, w_mm) = {Cosine(w, maxMargin):F6}; angles {AngleDegrees(w, pseudoInverse):F2}° and {AngleDegrees(w, maxMargin):F2}°");
        output.WriteLine($"  margins [{Format(margins)}] (relative spread {spread:E2}); share of w outside the row space of X {nullShare:E2}");
        Assert.True(summary.Termination is TerminationType.GradientTolerance or TerminationType.MaxIterations, summary.Message);
        Assert.True(cosine >= 0.99, $"cos(w, X⁺y) = {cosine:F6}");
        Assert.True(spread <= 0.01, $"relative margin spread {spread:E2}");
    }

    private void GradientDescentRun<TModel>(int depth) where TModel : IModel<TModel>
    {
        var pseudoInverse = MinimumNormInterpolant();
        var maxMargin = MaxMargin().W;
        var theta = SmallStart<TModel>();
        var problem = Problem<TModel>();
        var options = new FirstOrderOptions { LearningRate = 0.5, MaxIterations = 1_000, GradientTolerance = 0 };

        // Two legs, to show how slowly the direction moves after the first thousand steps (logarithmically).
        GradientDescent.Solve(problem, theta, options);
        var early = EndToEnd<TModel>(theta);
        var summary = GradientDescent.Solve(problem, theta, options with { MaxIterations = 9_000 });
        var w = EndToEnd<TModel>(theta);
        double toMaxMargin = AngleDegrees(w, maxMargin), toPseudoInverse = AngleDegrees(w, pseudoInverse);
        output.WriteLine($"depth {depth} GD: 10000 iterations ({summary.Termination}), cost {summary.FinalCost:E3}");
        output.WriteLine($"  after 1000: cos(w, w_mm) = {Cosine(early, maxMargin):F6}, cos(w, X⁺y) = {Cosine(early, pseudoInverse):F6}");
        output.WriteLine($"  after 10000: cos(w, w_mm) = {Cosine(w, maxMargin):F6}, cos(w, X⁺y) = {Cosine(w, pseudoInverse):F6}; angles {toMaxMargin:F2}° and {toPseudoInverse:F2}°; margins [{Format(Margins(w))}]");
        Assert.Equal(TerminationType.MaxIterations, summary.Termination);
        Assert.True(toMaxMargin < toPseudoInverse, $"angle to w_mm {toMaxMargin:F2}° vs to X⁺y {toPseudoInverse:F2}°");
    }
}
