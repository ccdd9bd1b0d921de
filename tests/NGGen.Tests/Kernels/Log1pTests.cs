using System;
using System.Runtime.Intrinsics;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>
/// log(1 + x) (<see cref="Activations.Log1p{T}"/>, <see cref="FusedMath.Log1p{T}"/>, <see cref="Ops.Log1p(double)"/>)
/// against references that do not use Kahan's form: where 1 + x is exact, glibc's log of it (within an ulp); below
/// that, the series x − x²/2 + x³/3, whose next term is under a hundredth of an ulp there.
/// </summary>
public sealed class Log1pTests
{
    [Fact]
    public void Double_IsWithinThreeUlpWhereOnePlusXIsExact()
    {
        // Multiples of 2^-20 from -1 + 2^-20 to 64: 1 + x is exact, so Math.Log(1 + x) is the reference.
        const double step = 1.0 / (1 << 20);
        var x = new double[(65 << 20) - 1];
        for (int i = 0; i < x.Length; i++)
            x[i] = -1 + ((i + 1) * step);
        AssertWithinUlp(x, v => Math.Log(1 + v));
    }

    [Fact]
    public void Double_IsWithinThreeUlpBelowTheUnitRoundoffOfOne()
    {
        // Every exponent from subnormals up to 2^-20, both signs: log(1 + x) computed directly loses x's digits here
        // (and gives 0 below 1.1e-16).
        var x = Ulps.EveryExponentUpTo(Math.ScaleB(1.0, -20), 1_000_000);

        AssertWithinUlp(x, Series);
    }

    [Fact]
    public void Float_IsWithinThreeUlpOfTheRoundedDoubleValue()
    {
        // Every 61st float from -1 to 16 (both signs below 1): 1 + x is exact in double for |x| ≥ 2^-28 (3.7e-9), and the series
        // covers the rest.
        var values = new System.Collections.Generic.List<float>();
        for (uint bits = 0; bits < 0x41800000u; bits += 61)
        {
            float v = BitConverter.UInt32BitsToSingle(bits);
            values.Add(v);
            if (v < 1)
                values.Add(-v);
        }

        float[] x = values.ToArray();
        var y = new float[x.Length];
        Activations.Log1p<float>(x, y);
        int worst = 0;
        float worstInput = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            float expected = (float)(Math.Abs(v) < 3.725290298461914e-9 ? Series(v) : Math.Log(1 + v));
            int ulp = Ulps.Distance(y[i], expected);
            if (ulp > worst)
                (worst, worstInput) = (ulp, x[i]);
        }

        Assert.True(worst <= Log1pOperator.MaxUlp, $"log1p({worstInput:R}) is {worst} ulp from the rounded double value.");
    }

    [Theory]
    [InlineData(-1.0, double.NegativeInfinity)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(0.0, 0.0)]
    [InlineData(double.Epsilon, double.Epsilon)]
    [InlineData(1e-300, 1e-300)]
    [InlineData(1e-10, 9.9999999995000000000333e-11)]
    [InlineData(-0.5, -0.69314718055994530942)]
    [InlineData(1e300, 690.77552789821370521)]
    public void Double_SpecialValues(double input, double expected)
    {
        var x = new double[Vector512<double>.Count + 1];
        Array.Fill(x, input);
        var y = new double[x.Length];
        Activations.Log1p<double>(x, y);
        foreach (double value in y)
            Assert.True(Ulps.Distance(value, expected) <= Log1pOperator.MaxUlp, $"log1p({input:R}) = {value:R}, expected {expected:R}");
        Assert.True(Ulps.Distance(Ops.Log1p(input), expected) <= Log1pOperator.MaxUlp, $"Ops.Log1p({input:R}) = {Ops.Log1p(input):R}");
        Assert.Equal(y[0], FusedMath.Log1p(input));
    }

    [Fact]
    public void NaN_BelowMinusOne_AndNegativeZero()
    {
        double[] x = [double.NaN, -2, double.NegativeInfinity, -0.0];
        var y = new double[x.Length];
        Activations.Log1p<double>(x, y);
        Assert.True(double.IsNaN(y[0]) && double.IsNaN(y[1]) && double.IsNaN(y[2]));
        Assert.True(double.IsNegative(y[3]) && y[3] == 0);

        float[] xf = [float.NaN, -2f, -0f, -1f];
        var yf = new float[xf.Length];
        Activations.Log1p<float>(xf, yf);
        Assert.True(float.IsNaN(yf[0]) && float.IsNaN(yf[1]));
        Assert.True(float.IsNegative(yf[2]) && yf[2] == 0);
        Assert.Equal(float.NegativeInfinity, yf[3]);
    }

    [Fact]
    public void OtherElementTypes_RoundTheDoubleValue()
    {
        // Half goes through the scalar fallback: within an ulp of log(1 + x) in double (1 + x is exact there), and
        // e^x − 1 from the sinh form.
        Half[] x = [(Half)0.001, (Half)(-0.5), (Half)2, (Half)(-3e-5)];
        var log1p = new Half[x.Length];
        var expm1 = new Half[x.Length];
        Activations.Log1p<Half>(x, log1p);
        Activations.Expm1<Half>(x, expm1);
        for (int i = 0; i < x.Length; i++)
        {
            double v = (double)x[i];
            Assert.True(HalfUlps(log1p[i], (Half)Math.Log(1 + v)) <= 1, $"log1p({v}) = {log1p[i]}");
            Assert.True(HalfUlps(expm1[i], (Half)(2 * Math.Exp(v / 2) * Math.Sinh(v / 2))) <= 1, $"expm1({v}) = {expm1[i]}");
        }

        static int HalfUlps(Half a, Half b) => Ulps.Distance((float)a, (float)b) >> 13; // 23 − 10 mantissa bits
    }

    [Fact]
    public void EveryVectorWidthAgreesWithTheScalarForm() => VectorWidths.AssertAgreeWithScalar<Log1pOperator>(5, 0.3);

    [Theory]
    [InlineData(-40.0)]
    [InlineData(-100.0)]
    [InlineData(-700.0)]
    public void Softplus_KeepsItsDigitsFarLeftOfZero(double x)
    {
        // softplus(x) = log(1 + e^x) = e^x (1 − e^x/2 + ...): e^x itself to well under an ulp here. The old form,
        // log(1 + e^x), returned 0.
        Assert.True(Ulps.Distance(Ops.Softplus(x), Math.Exp(x)) <= Log1pOperator.MaxUlp, $"softplus({x}) = {Ops.Softplus(x):R}");
    }

    // x − x²/2 + x³/3 for |x| ≤ 2^-20, the small correction added last.
    private static double Series(double x) => x + (x * x * ((x / 3) - 0.5));

    private static void AssertWithinUlp(double[] x, Func<double, double> reference)
    {
        var y = new double[x.Length];
        Activations.Log1p<double>(x, y);
        long worst = 0;
        double worstInput = 0;
        for (int i = 0; i < x.Length; i++)
        {
            long ulp = Ulps.Distance(y[i], reference(x[i]));
            if (ulp > worst)
                (worst, worstInput) = (ulp, x[i]);
            if (i % 97 == 0)
            {
                long scalar = Ulps.Distance(Ops.Log1p(x[i]), reference(x[i]));
                if (scalar > worst)
                    (worst, worstInput) = (scalar, x[i]);
            }
        }

        Assert.True(worst <= Log1pOperator.MaxUlp, $"log1p({worstInput:R}) is {worst} ulp from the reference.");
    }
}
