using System;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>Batched.BatchSum: each row of samples summed (a bias gradient), through RowSums.</summary>
[Collection(nameof(KernelThreadsCollection))]
public sealed class BatchSumTests
{
    // Small integers sum exactly in any order, so every row must equal its exact sum: lengths below one Vector256,
    // between the vector widths, at one and two Vector512 of floats, with tails, and long rows split over threads.
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(48)]
    [InlineData(100)]
    [InlineData(2048)]
    public void BatchSum_EqualsTheExactRowSums(int batch)
    {
        const int rows = 70;
        var floats = new float[rows * batch];
        var doubles = new double[rows * batch];
        var random = new Random(batch);
        for (int i = 0; i < floats.Length; i++)
            doubles[i] = floats[i] = random.Next(-1000, 1001);

        foreach (int threads in new[] { 1, 2 })
        {
            KernelThreadsTests.WithThreads(threads, () =>
            {
                var floatSums = new float[rows];
                var doubleSums = new double[rows];
                Array.Fill(doubleSums, 0.5);
                Batched.BatchSum<float>(floats, rows, floatSums, batch, accumulate: false);
                Batched.BatchSum<double>(doubles, rows, doubleSums, batch, accumulate: true);
                for (int e = 0; e < rows; e++)
                {
                    long exact = 0;
                    for (int s = 0; s < batch; s++)
                        exact += (long)doubles[(e * batch) + s];
                    Assert.Equal(exact, floatSums[e]);
                    Assert.Equal(exact + 0.5, doubleSums[e]);
                }
            });
        }
    }

    [Fact]
    public void BatchSum_OfShortSpans_NamesWhatIsMissing()
    {
        var source = new float[10];
        var error = Assert.Throws<ArgumentException>(() => Batched.BatchSum<float>(source, 3, new float[3], 4, accumulate: false));
        Assert.Equal("src", error.ParamName);
        Assert.Contains("3 rows of 4 need 12", error.Message);
        error = Assert.Throws<ArgumentException>(() => Batched.BatchSum<float>(source, 2, new float[1], 5, accumulate: false));
        Assert.Equal("dst", error.ParamName);
    }
}
