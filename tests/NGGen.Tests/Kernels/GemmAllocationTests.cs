using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>
/// A warm product allocates nothing on the calling thread. In the kernel-threads collection, which runs alone, so
/// that no other test holds the workers between the warm-up and the measured call and the two take the same path:
/// run beside the parallel tests, the (257, 129, 300, Aᵀ, Bᵀ) case allocated once in about five full runs with the
/// caller's scratch already reserved for both paths, and the cause was not found. What a caller that finds the
/// workers busy allocates is measured on its own, deterministically, by <see cref="BusyWorkersAllocationTests"/>.
/// </summary>
[Collection(nameof(KernelThreadsCollection))]
public sealed class GemmAllocationTests
{
    [Theory]
    [InlineData(64, 64, 64, false, false)]
    [InlineData(257, 129, 300, true, true)]
    [InlineData(1, 300, 200, true, false)]
    [InlineData(50, 2, 90, false, true)]
    [InlineData(4, 4, 4, false, false)]
    [InlineData(13, 7, 1001, false, true)]
    [InlineData(40, 40, 1100, false, true)]
    public void Multiply_AfterWarmUp_DoesNotAllocate(int m, int n, int k, bool transA, bool transB)
    {
        float[] af = new float[m * k], bf = new float[k * n], cf = new float[m * n];
        double[] ad = new double[m * k], bd = new double[k * n], cd = new double[m * n];
        int lda = transA ? m : k, ldb = transB ? k : n;

        Gemm.Multiply<float>(transA, transB, m, n, k, af, lda, bf, ldb, cf, n, accumulate: false);
        Gemm.Multiply<double>(transA, transB, m, n, k, ad, lda, bd, ldb, cd, n, accumulate: true);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Gemm.Multiply<float>(transA, transB, m, n, k, af, lda, bf, ldb, cf, n, accumulate: false);
        Gemm.Multiply<double>(transA, transB, m, n, k, ad, lda, bd, ldb, cd, n, accumulate: true);
        long after = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal(before, after);
    }
}
