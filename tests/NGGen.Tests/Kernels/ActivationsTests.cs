using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>
/// The float tanh kernel against <see cref="Math.Tanh(double)"/> evaluated in double precision and rounded once,
/// which is the correctly rounded value except in rare ties; the double kernel against <see cref="Math.Tanh(double)"/>
/// itself (glibc's, within an ulp).
/// </summary>
public sealed class ActivationsTests
{
    // TanhOperator documents 5 ulp (measured on every float in [0, 11]) and 3.5e-7 relative on this sweep.
    private const int MaxUlp = 5;
    private const double MaxRelative = 3.5e-7;

    // DoubleTanhOperator documents 2 ulp against Math.Tanh on this sweep (measured at every vector width, with and without FMA).
    private const int MaxUlpDouble = 2;

    [Fact]
    public void Tanh_Float_IsWithinFiveUlpOnASweepOfEveryExponent()
    {
        // Every 97th float from +0 to 10 and its negation: all exponents from subnormals up, 22 million inputs.
        const uint last = 0x41200000u; // 10.0f
        int count = (int)(last / 97) + 1;
        var x = new float[2 * count];
        for (int i = 0; i < count; i++)
        {
            x[2 * i] = BitConverter.UInt32BitsToSingle((uint)i * 97);
            x[(2 * i) + 1] = -x[2 * i];
        }

        var y = new float[x.Length];
        Activations.Tanh<float>(x, y);

        int worstUlp = 0;
        double worstRelative = 0;
        float worstInput = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = Math.Tanh(x[i]);
            int ulp = Ulps.Distance(y[i], (float)exact);
            if (ulp > worstUlp)
                (worstUlp, worstInput) = (ulp, x[i]);
            if (exact != 0)
                worstRelative = Math.Max(worstRelative, Math.Abs(y[i] - exact) / Math.Abs(exact));
        }

        Assert.True(worstUlp <= MaxUlp, $"tanh({worstInput:R}) is {worstUlp} ulp from the double-precision value.");
        Assert.True(worstRelative <= MaxRelative, $"Relative error {worstRelative:E3} exceeds {MaxRelative:E1}.");
    }

    [Theory]
    [InlineData(float.PositiveInfinity, 1f)]
    [InlineData(float.NegativeInfinity, -1f)]
    [InlineData(20f, 1f)]
    [InlineData(-10f, -1f)]
    [InlineData(0f, 0f)]
    [InlineData(1e-30f, 1e-30f)]
    [InlineData(-1e-42f, -1e-42f)]
    public void Tanh_Float_SpecialValues(float input, float expected)
    {
        // A vector's worth of the value plus one, so both the vector loop and the padded tail see it.
        var x = new float[Vector512<float>.Count + 1];
        Array.Fill(x, input);
        var y = new float[x.Length];
        Activations.Tanh<float>(x, y);
        foreach (float value in y)
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(value));
        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(TanhOperator.Invoke(input)));
    }

    [Fact]
    public void Tanh_Float_KeepsNaNAndNegativeZero()
    {
        float[] x = [float.NaN, -0f, 0.5f, -float.NaN];
        var y = new float[x.Length];
        Activations.Tanh<float>(x, y);
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[3]));
        Assert.True(float.IsNegative(y[1]) && y[1] == 0);
        Assert.True(float.IsNaN(TanhOperator.Invoke(float.NaN)));
    }

    [Fact]
    public void Tanh_Float_EveryVectorWidthAgreesWithTheScalarForm()
    {
        // The hardware picks one width for Activations.Tanh; the others run here directly.
        var random = new Random(7);
        var lanes = new float[16];
        for (int trial = 0; trial < 2000; trial++)
        {
            for (int i = 0; i < lanes.Length; i++)
                lanes[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 2)));
            var v128 = TanhOperator.Invoke(Vector128.Create(lanes.AsSpan(0, 4)));
            var v256 = TanhOperator.Invoke(Vector256.Create(lanes.AsSpan(0, 8)));
            var v512 = TanhOperator.Invoke(Vector512.Create(lanes));
            for (int i = 0; i < lanes.Length; i++)
            {
                float scalar = TanhOperator.Invoke(lanes[i]);
                Assert.True(Ulps.Distance(scalar, (float)Math.Tanh(lanes[i])) <= MaxUlp, $"scalar tanh({lanes[i]:R})");
                // Without FMA the scalar and narrower forms take tanh in double; the Vector512 form, which such
                // hardware never runs, keeps its fused (here emulated) steps.
                if (Fma.IsSupported || AdvSimd.IsSupported)
                    Assert.True(Ulps.Distance(v512[i], scalar) <= 1, $"Vector512 tanh({lanes[i]:R}) = {v512[i]:R}, scalar {scalar:R}");
                if (i < 8)
                    Assert.Equal(scalar, v256[i]);
                if (i < 4)
                    Assert.Equal(scalar, v128[i]);
            }
        }
    }

    [Fact]
    public void Tanh_Float_ResultDoesNotDependOnPositionInTheSpan()
    {
        var random = new Random(11);
        var x = new float[200];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(6 * random.NextDouble() - 3);
        var whole = new float[x.Length];
        Activations.Tanh<float>(x, whole);
        for (int length = 1; length <= 70; length++)
        {
            var part = new float[length];
            Activations.Tanh<float>(x.AsSpan(130 - length, length), part);
            Assert.Equal(whole.AsSpan(130 - length, length).ToArray(), part);
        }
    }

    [Fact]
    public void Tanh_InPlace_And_Double()
    {
        float[] f = [0.25f, -2f, 5f];
        Activations.Tanh<float>(f, f);
        Assert.True(Ulps.Distance(f[1], (float)Math.Tanh(-2.0)) <= MaxUlp);

        double[] d = [0.25, -2, 5, 1e-300];
        var expected = Array.ConvertAll(d, Math.Tanh);
        Activations.Tanh<double>(d, d);
        for (int i = 0; i < d.Length; i++)
            Assert.True(Ulps.Distance(expected[i], d[i]) <= MaxUlpDouble, $"tanh({expected[i]:R}): {d[i]:R}");
    }

    [Fact]
    public void Tanh_Double_IsWithinTwoUlpOnASweepOfEveryExponent()
    {
        // Evenly spaced bit patterns from +0 to 20 and their negations: every exponent from subnormals up, 8 million
        // inputs. TensorPrimitives.Tanh, which this replaced, was 47 ulp off at 0.05 and 10^11 ulp at 1e-12.
        var x = Ulps.EveryExponentUpTo(20.0, 4_000_000);

        var y = new double[x.Length];
        Activations.Tanh<double>(x, y);

        long worstUlp = 0;
        double worstInput = 0;
        for (int i = 0; i < x.Length; i++)
        {
            long ulp = Ulps.Distance(y[i], Math.Tanh(x[i]));
            if (ulp > worstUlp)
                (worstUlp, worstInput) = (ulp, x[i]);
        }

        Assert.True(worstUlp <= MaxUlpDouble, $"tanh({worstInput:R}) is {worstUlp} ulp from Math.Tanh.");
    }

    [Theory]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(double.NegativeInfinity, -1.0)]
    [InlineData(20.0, 1.0)]
    [InlineData(-400.0, -1.0)]
    [InlineData(0.0, 0.0)]
    [InlineData(1e-300, 1e-300)]
    [InlineData(-5e-324, -5e-324)]
    [InlineData(0.625, 0.5545997223493823)]
    public void Tanh_Double_SpecialValues(double input, double expected)
    {
        var x = new double[Vector512<double>.Count + 1];
        Array.Fill(x, input);
        var y = new double[x.Length];
        Activations.Tanh<double>(x, y);
        foreach (double value in y)
            Assert.True(Ulps.Distance(expected, value) <= MaxUlpDouble, $"tanh({input:R}) = {value:R}, expected {expected:R}");
        Assert.Equal(y[0], DoubleTanhOperator.Invoke(input));
    }

    [Fact]
    public void Tanh_Double_KeepsNaNAndNegativeZeroAndIsOdd()
    {
        double[] x = [double.NaN, -0.0, 0.5, -double.NaN, 0.3, -0.3, 3, -3];
        var y = new double[x.Length];
        Activations.Tanh<double>(x, y);
        Assert.True(double.IsNaN(y[0]) && double.IsNaN(y[3]));
        Assert.True(double.IsNegative(y[1]) && y[1] == 0);
        Assert.Equal(-y[4], y[5]);
        Assert.Equal(-y[6], y[7]);
        Assert.True(double.IsNaN(DoubleTanhOperator.Invoke(double.NaN)));
    }

    [Fact]
    public void Tanh_Double_EveryVectorWidthGivesTheScalarFormBitForBit()
    {
        var random = new Random(5);
        var lanes = new double[8];
        for (int trial = 0; trial < 4000; trial++)
        {
            for (int i = 0; i < lanes.Length; i++)
                lanes[i] = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 2));
            var v128 = DoubleTanhOperator.Invoke(Vector128.Create(lanes.AsSpan(0, 2)));
            var v256 = DoubleTanhOperator.Invoke(Vector256.Create(lanes.AsSpan(0, 4)));
            var v512 = DoubleTanhOperator.Invoke(Vector512.Create(lanes));
            for (int i = 0; i < lanes.Length; i++)
            {
                double scalar = DoubleTanhOperator.Invoke(lanes[i]);
                Assert.Equal(scalar, v512[i]);
                if (i < 4)
                    Assert.Equal(scalar, v256[i]);
                if (i < 2)
                    Assert.Equal(scalar, v128[i]);
            }
        }
    }

    [Fact]
    public void Tanh_Double_ResultDoesNotDependOnPositionInTheSpan()
    {
        var random = new Random(13);
        var x = new double[200];
        for (int i = 0; i < x.Length; i++)
            x[i] = 3 * random.NextDouble() - 1.5;
        var whole = new double[x.Length];
        Activations.Tanh<double>(x, whole);
        for (int length = 1; length <= 40; length++)
        {
            var part = new double[length];
            Activations.Tanh<double>(x.AsSpan(130 - length, length), part);
            Assert.Equal(whole.AsSpan(130 - length, length).ToArray(), part);
        }
    }

    [Fact]
    public void Tanh_LengthMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Activations.Tanh<float>(new float[3], new float[2]));
        Assert.Contains("2 elements", ex.Message);
        Assert.Throws<ArgumentException>(() => Activations.Tanh<double>(new double[3], new double[4]));

        // A shifted overlap would read values already overwritten; the same span in place is fine.
        var shared = new float[20];
        var overlap = Assert.Throws<ArgumentException>(() => Activations.Tanh<float>(shared.AsSpan(0, 16), shared.AsSpan(4, 16)));
        Assert.Contains("overlaps", overlap.Message);
    }
}
