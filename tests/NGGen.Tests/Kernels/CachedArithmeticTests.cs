using System;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>
/// <see cref="CachedArithmetic"/> against scalar loops and the TensorPrimitives calls it replaces: the same IEEE
/// operations per element, so the results agree bit for bit, at lengths that exercise the vector body and the scalar
/// tail, and past the 256 KiB from which TensorPrimitives changes its stores.
/// </summary>
public sealed class CachedArithmeticTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(47)]
    [InlineData(100_003)]
    public void Add_Float_MatchesScalarSumBitForBit(int length)
    {
        var random = new Random(length);
        float[] sum = Random(random, length, x => (float)x), other = Random(random, length, x => (float)x);
        float[] expected = new float[length];
        for (int i = 0; i < length; i++)
            expected[i] = sum[i] + other[i];

        CachedArithmetic.Add<float>(sum, other);

        Assert.Equal(expected, sum);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(65_537)]
    public void Add_Double_MatchesScalarSumBitForBit(int length)
    {
        var random = new Random(length);
        double[] sum = Random(random, length, x => x), other = Random(random, length, x => x);
        double[] expected = new double[length];
        for (int i = 0; i < length; i++)
            expected[i] = sum[i] + other[i];

        CachedArithmetic.Add<double>(sum, other);

        Assert.Equal(expected, sum);
    }

    [Fact]
    public void Add_LengthMismatch_ThrowsNamingTheLengths()
    {
        var error = Assert.Throws<ArgumentException>(() => CachedArithmetic.Add<float>(new float[4], new float[3]));
        Assert.Contains("4 and 3", error.Message);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(40_001)]
    public void AddScaledScaleAndAddAndScale_Double_MatchTensorPrimitivesBitForBit(int length)
    {
        var random = new Random(length);
        double[] x = Random(random, length, v => v), y = Random(random, length, v => v);
        double[] z = Random(random, length, v => v);
        double[] expectedAxpy = new double[length], expectedScale = new double[length], expectedScaleAndAdd = new double[length];
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd<double>(x, -0.37, y, expectedAxpy);
        System.Numerics.Tensors.TensorPrimitives.Multiply<double>(x, 1.9, expectedScale);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd<double>(z, 0.61, x, expectedScaleAndAdd);

        CachedArithmetic.AddScaled(-0.37, x, y);
        CachedArithmetic.ScaleAndAdd(0.61, z, x);
        CachedArithmetic.Scale(1.9, x);

        Assert.Equal(expectedAxpy, y);
        Assert.Equal(expectedScaleAndAdd, z);
        // Scale ran after ScaleAndAdd read x, which it leaves unchanged.
        Assert.Equal(expectedScale, x);
    }

    [Fact]
    public void AddScaled_Float_RoundsTheProductBeforeTheAdd()
    {
        // x·α = 1 + 2⁻¹¹ + 2⁻²⁴ exactly, half an ulp above 1 + 2⁻¹¹, which it rounds to (ties to even); adding y = −1
        // then leaves 2⁻¹¹. A fused multiply-add would keep the 2⁻²⁴ term, which 2⁻¹¹ + 2⁻²⁴ can hold.
        float x = 1 + MathF.Pow(2, -12), alpha = 1 + MathF.Pow(2, -12);
        float[] y = [-1f];

        CachedArithmetic.AddScaled(alpha, [x], y);

        Assert.Equal(MathF.Pow(2, -11), y[0]);
        Assert.NotEqual(MathF.FusedMultiplyAdd(x, alpha, -1f), y[0]);
    }

    private static T[] Random<T>(Random random, int length, Func<double, T> convert)
    {
        var values = new T[length];
        for (int i = 0; i < length; i++)
            values[i] = convert((2 * random.NextDouble()) - 1);
        return values;
    }
}
