using System;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>
/// <see cref="CachedAdd"/> against a scalar loop: one IEEE addition per element, so the results agree bit for bit, at
/// lengths that exercise the two-vector body, the one-vector tail and the scalar tail, and one past the 256 KiB at
/// which TensorPrimitives would change its stores.
/// </summary>
public sealed class CachedAddTests
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

        CachedAdd.Add<float>(sum, other);

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

        CachedAdd.Add<double>(sum, other);

        Assert.Equal(expected, sum);
    }

    [Fact]
    public void Add_LengthMismatch_ThrowsNamingTheLengths()
    {
        var error = Assert.Throws<ArgumentException>(() => CachedAdd.Add<float>(new float[4], new float[3]));
        Assert.Contains("4 and 3", error.Message);
    }

    private static T[] Random<T>(Random random, int length, Func<double, T> convert)
    {
        var values = new T[length];
        for (int i = 0; i < length; i++)
            values[i] = convert((2 * random.NextDouble()) - 1);
        return values;
    }
}
