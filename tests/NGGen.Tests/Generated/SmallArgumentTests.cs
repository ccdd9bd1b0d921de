using System;
using NGGen.Checking;
using NGGen.Tests.Models;

namespace NGGen.Tests.Generated;

/// <summary>
/// The generated softplus and log1p keep their relative accuracy where the values are tiny: softplus(x) = e^x(1 − e^x/2
/// + ...) far left of zero and log1p(x) = x − x²/2 + x³/3 near zero, with their derivatives x·σ(ax) and x/(1 + ax)
/// with respect to a. (Before log1p, the generated softplus was log(1 + e^x) and returned 0 below x ≈ −37.)
/// </summary>
public sealed class SmallArgumentTests
{
    // 40 samples: a whole vector loop and a tail at every width.
    private static readonly double[] FarLeft = Repeat([-40, -100, -300, -700, -37.5], 8);
    private static readonly double[] NearZero = Repeat([1e-10, -3e-12, 2.5e-17, -1e-300, 7e-9], 8);

    [Fact]
    public void Softplus_FarLeftOfZero_Double()
    {
        double[] theta = [1.0];
        var y = GradientChecker.Forward<SmallArguments, double>(0, theta, FarLeft, FarLeft.Length);
        var gradient = GradientChecker.Vjp<SmallArguments, double>(0, theta, FarLeft, FarLeft.Length, Ones(FarLeft.Length));
        double expectedGradient = 0;
        for (int i = 0; i < FarLeft.Length; i++)
        {
            double e = Math.Exp(FarLeft[i]);
            AssertRelative(e * (1 - (e / 2)), y[i], 4e-16, $"softplus({FarLeft[i]})");
            expectedGradient += FarLeft[i] * e / (1 + e);
        }

        AssertRelative(expectedGradient, gradient[0], 1e-15, "d/da Σ softplus(a x)");
    }

    [Fact]
    public void Softplus_FarLeftOfZero_Float()
    {
        float[] x = Array.ConvertAll(FarLeft, v => (float)(v / 8)); // -5 to -87.5: e^x down to 1e-38
        var y = GradientChecker.Forward<SmallArguments, float>(0, [1f], x, x.Length);
        for (int i = 0; i < x.Length; i++)
            AssertRelative(Math.Exp(x[i]) * Log1pRatio(Math.Exp(x[i])), y[i], 1e-6, $"float softplus({x[i]})");
    }

    [Fact]
    public void Log1p_NearZero_WithItsDerivative()
    {
        double[] theta = [1.0];
        var y = GradientChecker.Forward<SmallArguments, double>(1, theta, NearZero, NearZero.Length);
        var gradient = GradientChecker.Vjp<SmallArguments, double>(1, theta, NearZero, NearZero.Length, Ones(NearZero.Length));
        double expectedGradient = 0;
        for (int i = 0; i < NearZero.Length; i++)
        {
            double v = NearZero[i];
            AssertRelative(v + (v * v * ((v / 3) - 0.5)), y[i], 4e-16, $"log1p({v})");
            expectedGradient += v / (1 + v);
        }

        AssertRelative(expectedGradient, gradient[0], 1e-15, "d/da Σ log1p(a x)");
    }

    [Fact]
    public void Log1p_OfAParameterAlone()
    {
        // log1p(a) on the unbatched path (one value, not a vector kernel), plus x = 0.
        var y = GradientChecker.Forward<SmallArguments, double>(2, [1e-12], [0.0], 1);
        AssertRelative(9.999999999995e-13, y[0], 4e-16, "log1p(1e-12)");
        var gradient = GradientChecker.Vjp<SmallArguments, double>(2, [1e-12], [0.0], 1, [1.0]);
        AssertRelative(1 / (1 + 1e-12), gradient[0], 1e-16, "d/da log1p(a)");
    }

    [Fact]
    public void Expm1_NearZero_WithItsDerivative()
    {
        double[] theta = [1.0];
        var y = GradientChecker.Forward<SmallArguments, double>(3, theta, NearZero, NearZero.Length);
        var gradient = GradientChecker.Vjp<SmallArguments, double>(3, theta, NearZero, NearZero.Length, Ones(NearZero.Length));
        double expectedGradient = 0;
        for (int i = 0; i < NearZero.Length; i++)
        {
            double v = NearZero[i];
            AssertRelative(v + (v * v * (0.5 + (v / 6))), y[i], 6e-16, $"expm1({v})");
            expectedGradient += v * Math.Exp(v);
        }

        AssertRelative(expectedGradient, gradient[0], 1e-15, "d/da Σ expm1(a x)");
        var scalar = GradientChecker.Forward<SmallArguments, double>(4, [1e-12], [0.0], 1);
        AssertRelative(1.0000000000005e-12, scalar[0], 6e-16, "expm1(1e-12)");
    }

    // log(1 + u)/u for u > 0 from the series (u ≤ e^-5 here): softplus(x) = u · this with u = e^x.
    private static double Log1pRatio(double u) => 1 - (u / 2) + (u * u / 3) - (u * u * u / 4);

    private static void AssertRelative(double expected, double actual, double tolerance, string what)
        => Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"{what}: {actual:R}, expected {expected:R}");

    private static double[] Ones(int n)
    {
        var ones = new double[n];
        Array.Fill(ones, 1.0);
        return ones;
    }

    private static double[] Repeat(double[] values, int times)
    {
        var result = new double[values.Length * times];
        for (int i = 0; i < result.Length; i++)
            result[i] = values[i % values.Length];
        return result;
    }
}
