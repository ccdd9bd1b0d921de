using System;
using System.Runtime.Intrinsics;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>
/// e^x − 1 (<see cref="Activations.Expm1{T}"/>, <see cref="FusedMath.Expm1{T}"/>, <see cref="Ops.Expm1(double)"/>)
/// against references that do not use Kahan's form: 2·e^{x/2}·sinh(x/2) from glibc (each factor within an ulp, x/2
/// exact), and below 2^-20 the series x + x²/2 + x³/6, whose next term is under a hundredth of an ulp there.
/// </summary>
public sealed class Expm1Tests
{
    [Fact]
    public void Double_IsWithinFiveUlpOfTheSinhForm()
    {
        // 2 million points evenly over [-40, 40]: near 0 and far from it, both signs.
        const int count = 2_000_000;
        var x = new double[count + 1];
        for (int i = 0; i <= count; i++)
            x[i] = -40 + (80.0 * i / count);
        AssertWithinUlp(x, SinhForm);
    }

    [Fact]
    public void Double_IsWithinFiveUlpBelowTheUnitRoundoffOfOne()
    {
        var x = Ulps.EveryExponentUpTo(Math.ScaleB(1.0, -20), 1_000_000);

        AssertWithinUlp(x, Series);
    }

    [Fact]
    public void Float_IsWithinFiveUlpOfTheRoundedDoubleValue()
    {
        // Every 61st float from 0 to 80, both signs.
        var values = new System.Collections.Generic.List<float>();
        for (uint bits = 0; bits < 0x42A00000u; bits += 61)
        {
            float v = BitConverter.UInt32BitsToSingle(bits);
            values.Add(v);
            values.Add(-v);
        }

        float[] x = values.ToArray();
        var y = new float[x.Length];
        Activations.Expm1<float>(x, y);
        long worst = 0;
        float worstInput = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            float expected = (float)(Math.Abs(v) < 9.5367431640625e-7 ? Series(v) : SinhForm(v));
            long ulp = Ulps.Distance(y[i], expected);
            if (ulp > worst)
                (worst, worstInput) = (ulp, x[i]);
        }

        Assert.True(worst <= Expm1Operator.MaxUlp, $"expm1({worstInput:R}) is {worst} ulp from the rounded double value.");
    }

    [Theory]
    [InlineData(double.NegativeInfinity, -1.0)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(1000.0, double.PositiveInfinity)]
    [InlineData(-1000.0, -1.0)]
    [InlineData(0.0, 0.0)]
    [InlineData(1e-300, 1e-300)]
    [InlineData(1e-10, 1.00000000005e-10)]
    [InlineData(1.0, 1.7182818284590452354)]
    [InlineData(-1.0, -0.63212055882855767840)]
    public void Double_SpecialValues(double input, double expected)
    {
        var x = new double[Vector512<double>.Count + 1];
        Array.Fill(x, input);
        var y = new double[x.Length];
        Activations.Expm1<double>(x, y);
        foreach (double value in y)
            Assert.True(Ulps.Distance(value, expected) <= Expm1Operator.MaxUlp, $"expm1({input:R}) = {value:R}, expected {expected:R}");
        Assert.True(Ulps.Distance(Ops.Expm1(input), expected) <= Expm1Operator.MaxUlp, $"Ops.Expm1({input:R}) = {Ops.Expm1(input):R}");
        Assert.Equal(y[0], FusedMath.Expm1(input));
    }

    [Fact]
    public void NaN_AndNegativeZero()
    {
        double[] x = [double.NaN, -0.0];
        var y = new double[x.Length];
        Activations.Expm1<double>(x, y);
        Assert.True(double.IsNaN(y[0]));
        Assert.True(double.IsNegative(y[1]) && y[1] == 0);
        float[] xf = [float.NaN, -0f, float.NegativeInfinity, 100f];
        var yf = new float[xf.Length];
        Activations.Expm1<float>(xf, yf);
        Assert.True(float.IsNaN(yf[0]));
        Assert.True(float.IsNegative(yf[1]) && yf[1] == 0);
        Assert.Equal(-1f, yf[2]);
        Assert.Equal(float.PositiveInfinity, yf[3]);
    }

    [Fact]
    public void EveryVectorWidthAgreesWithTheScalarForm() => VectorWidths.AssertAgreeWithScalar<Expm1Operator>(6, 0.5);

    private static double SinhForm(double x) => 2 * Math.Exp(x / 2) * Math.Sinh(x / 2);

    private static double Series(double x) => x + (x * x * (0.5 + (x / 6)));

    private static void AssertWithinUlp(double[] x, Func<double, double> reference)
    {
        var y = new double[x.Length];
        Activations.Expm1<double>(x, y);
        long worst = 0;
        double worstInput = 0;
        for (int i = 0; i < x.Length; i++)
        {
            long ulp = Ulps.Distance(y[i], reference(x[i]));
            if (ulp > worst)
                (worst, worstInput) = (ulp, x[i]);
            if (i % 97 == 0)
            {
                long scalar = Ulps.Distance(Ops.Expm1(x[i]), reference(x[i]));
                if (scalar > worst)
                    (worst, worstInput) = (scalar, x[i]);
            }
        }

        Assert.True(worst <= Expm1Operator.MaxUlp, $"expm1({worstInput:R}) is {worst} ulp from the reference.");
    }
}
