using System;
using System.Linq;
using System.Numerics;
using System.Threading;
using System.Threading.Tasks;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>Tests that change <see cref="KernelThreads.ThreadCount"/> run alone, so they cannot race each other.</summary>
[CollectionDefinition(nameof(KernelThreadsCollection), DisableParallelization = true)]
public sealed class KernelThreadsCollection;

[Collection(nameof(KernelThreadsCollection))]
public sealed unsafe class KernelThreadsTests
{
    // Large enough to take the split path (≥ 2^21 multiply-adds), with rows to split (first) or only columns (second),
    // and edges that do not fill whole micro-tiles; 257 rows split into parts whose A blocks are taller than the
    // first part's (a scratch-sizing bug once overran there), with two depth blocks.
    public static TheoryData<int, int, int, bool, bool, bool> SplitCases()
    {
        var data = new TheoryData<int, int, int, bool, bool, bool>();
        // Then a wide product split by columns despite its rows, and a long-depth A·Bᵀ whose 4-row dot blocks are split;
        // then op(B) read in place, split by rows (no barriers) and by columns (over shallow depth blocks of long rows); then op(A) and op(B) read in place
        // with a 4-row edge in the second part; last, weight-gradient shapes with little work per depth block, split
        // by column panels when B is packed (by rows when it is read in place), one with an uneven last panel; last,
        // op(A) = Aᵀ packed in tall, shallow blocks (48 columns from 4 KiB rows), and read in place from rows of 4 KiB
        // or more in shallow depth blocks (32 and 20 columns; 1030 rows end in a packed panel under a tile height).
        foreach ((int m, int n, int k) in new[] { (301, 203, 97), (20, 3001, 70), (130, 129, 260), (257, 129, 300), (100, 1000, 40), (20, 24, 4100), (260, 64, 300), (16, 4096, 40), (16, 2048, 300), (1028, 32, 70), (64, 64, 2048), (96, 80, 1100), (1028, 48, 250), (1030, 20, 250), (1028, 32, 300), (600, 20, 300) })
            for (int flags = 0; flags < 8; flags++)
                data.Add(m, n, k, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(SplitCases))]
    public void SplitProduct_MatchesReference(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        WithThreads(3, () =>
        {
            GemmTests.Check<float>(m, n, k, transA, transB, accumulate, padded: true);
            GemmTests.Check<double>(m, n, k, transA, transB, accumulate, padded: false);
        });
    }

    [Theory]
    [MemberData(nameof(SplitCases))]
    public void SplitProduct_IsBitwiseEqualToSerial(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        AssertSplitEqualsSerial<float>(m, n, k, transA, transB, accumulate);
        AssertSplitEqualsSerial<double>(m, n, k, transA, transB, accumulate);
    }

    // Two row parts pack their own B and never meet: 1030×230×300 has 520 rows per part
    // (Gemm.PrivatePackedBMinRowsPerPart), over two depth blocks of 150, with a partial last column panel and a 6-row
    // last row panel; 260×230×60 is shallow (Gemm.PrivatePackedBShallowDepth), with 130 or 132 rows per part.
    public static TheoryData<int, int, int, bool, bool> PrivateBlockCases()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        foreach ((int m, int n, int k) in new[] { (1030, 230, 300), (260, 230, 60) })
            for (int flags = 0; flags < 4; flags++)
                data.Add(m, n, k, (flags & 1) != 0, (flags & 2) != 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(PrivateBlockCases))]
    public void SplitProduct_WithPrivatePackedBlocks_IsBitwiseEqualToSerial(int m, int n, int k, bool transA, bool transB)
    {
        Assert.Equal((Gemm.Split.Rows, 2), Gemm.SplitOf<float>(m, n, k, 2));
        Assert.Equal((Gemm.Split.Rows, 2), Gemm.SplitOf<double>(m, n, k, 2));
        AssertSplitEqualsSerial<float>(m, n, k, transA, transB, accumulate: transA);
        AssertSplitEqualsSerial<double>(m, n, k, transA, transB, accumulate: !transA);
        WithThreads(2, () => GemmTests.Check<float>(m, n, k, transA, transB, accumulate: transB, padded: true));
    }

    // Shapes that have work and panels for some but not all of 16 threads: 200×150×400 splits by rows into 12 parts
    // (Vector512; 16 on Vector256), 64×64×2048 (a 64-wide weight gradient) into 4, 100×2048×20 by columns into 15.
    public static TheoryData<int, int, int, bool, bool> PartialSplitCases()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        foreach ((int m, int n, int k) in new[] { (200, 150, 400), (64, 64, 2048), (100, 2048, 20) })
            for (int flags = 0; flags < 4; flags++)
                data.Add(m, n, k, (flags & 1) != 0, (flags & 2) != 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(PartialSplitCases))]
    public void SplitProduct_OnFewerThreadsThanThereAre_IsBitwiseEqualToSerial(int m, int n, int k, bool transA, bool transB)
    {
        AssertSplitEqualsSerial<float>(m, n, k, transA, transB, accumulate: true, threads: 16);
        AssertSplitEqualsSerial<double>(m, n, k, transA, transB, accumulate: false, threads: 16);
        WithThreads(16, () => GemmTests.Check<float>(m, n, k, transA, transB, accumulate: true, padded: true));
    }

    // With two threads a product splits exactly when each thread gets four row panels (rows first, while op(B) has
    // fewer than 8 columns per row) or else four column panels, and has at least 2^21 multiply-adds: the rule every
    // two-core measurement in bench/RESULTS.md up to the tenth session was taken under. Since the twelfth, a row split
    // that would share a packed B with under 2^21 multiply-adds per thread and depth block splits by whole column
    // panels instead (64×64×2048 A·Bᵀ), unless B is read in place or (since the twenty-second) each of two parts has
    // 512 rows or more and packs its own B. Since the thirteenth, that bound is 2^24 for a split
    // in two (256×256×256 and 256-wide weight gradients split by columns). Since the twenty-third, a product of depth
    // under 128 never splits by columns where it has the rows (256×256×32, the 256-wide weight gradient at batch 32).
    [Theory]
    [InlineData(64, 64, 512)]
    [InlineData(63, 64, 600)]
    [InlineData(256, 32, 256)]
    [InlineData(256, 2048, 256)]
    [InlineData(40, 128, 1024)]
    [InlineData(40, 127, 1024)]
    [InlineData(1024, 32, 1024)]
    [InlineData(512, 64, 63)]
    [InlineData(64, 64, 2048)]
    [InlineData(128, 64, 512)]
    [InlineData(128, 128, 2048)]
    [InlineData(96, 80, 1100)]
    [InlineData(256, 256, 256)]
    [InlineData(256, 256, 2048)]
    [InlineData(512, 256, 512)]
    [InlineData(1024, 256, 1024)]
    [InlineData(1024, 1024, 32)]
    [InlineData(1000, 1024, 32)]
    [InlineData(256, 256, 32)]
    [InlineData(256, 256, 64)]
    [InlineData(256, 256, 127)]
    [InlineData(256, 256, 128)]
    [InlineData(512, 512, 32)]
    public void SplitRule_OnTwoThreads_IsTheTwoCoreRule(int m, int n, int k)
    {
        int mr = GemmMicroKernels.Mr<float>(), nr = GemmMicroKernels.Nr<float>();
        foreach (bool bInPlace in new[] { false, true })
        {
            // Depth blocks are equal shares of k of at most 256; a float B block holds up to half the L2 (1024 columns
            // on a 2 MiB L2, 512 on 1 MiB).
            int depthBlocks = (k + 255) / 256;
            long rowWorkPerBlock = (long)((m + 1) / 2) * Math.Min(n, Gemm.MaxPackedBColumns<float>()) * ((k + depthBlocks - 1) / depthBlocks);
            var expected = (long)m * n * k < (1L << 21) ? Gemm.Split.None
                : m >= 2 * 4 * mr && n < 8 * m ? (!bInPlace && rowWorkPerBlock < (1L << 24) && n >= 2 * nr && ((m + 1) / 2 + mr - 1) / mr * mr < 512 && k >= 128 ? Gemm.Split.Columns : Gemm.Split.Rows)
                : n >= 2 * 4 * nr ? Gemm.Split.Columns : Gemm.Split.None;
            Assert.Equal((expected, expected == Gemm.Split.None ? 1 : 2), Gemm.SplitOf<float>(m, n, k, 2, bInPlace));
        }
    }

    // On 16 threads a 256-wide layer at batch 256 and a 256-wide weight gradient at batch 2048 are split (each
    // stayed on one thread when every split had to use all 16): beyond two parts, one per two panels and per 2^18
    // multiply-adds.
    [Fact]
    public void SplitRule_OnSixteenThreads_UsesThePartsAProductHasPanelsAndWorkFor()
    {
        int mr = GemmMicroKernels.Mr<float>();
        // Sixteen row parts share each packed depth block with only 2^20 multiply-adds each; with Vector256's 16-column
        // panels (NR = 16) there are as many column panels as parts, so the products split by columns instead (on
        // Vector512, NR = 32 gives only 8).
        var wideSplit = GemmMicroKernels.Use512 ? Gemm.Split.Rows : Gemm.Split.Columns;
        Assert.Equal((wideSplit, Math.Min(16, 256 / (2 * mr))), Gemm.SplitOf<float>(256, 256, 256, 16));
        Assert.Equal((wideSplit, Math.Min(16, 256 / (2 * mr))), Gemm.SplitOf<float>(256, 256, 2048, 16));
        // Eight row parts of 32 rows; the 32 columns make eight column panels only on the scalar kernel's 4-wide tiles
        // (hardware without vector FMA), which then splits by columns too.
        var narrowSplit = 32 / GemmMicroKernels.Nr<float>() >= 8 ? Gemm.Split.Columns : Gemm.Split.Rows;
        Assert.Equal((narrowSplit, 8), Gemm.SplitOf<float>(256, 32, 256, 16));
        // Below 2^21 multiply-adds nothing splits, however many threads there are.
        Assert.Equal((Gemm.Split.None, 1), Gemm.SplitOf<float>(256, 32, 255, 16));
    }

    [Fact]
    public void SplitProduct_AfterWarmUp_AllocatesNothingOnAnyThread()
    {
        const int m = 256, n = 256, k = 256;
        float[] a = Random<float>(m * k, 1), b = Random<float>(k * n, 2), c = new float[m * n];
        WithThreads(2, () =>
        {
            Gemm.Multiply<float>(false, false, m, n, k, a, k, b, n, c, n, accumulate: false);
            Assert.Equal(0, LeastProcessAllocations(() => Gemm.Multiply<float>(false, false, m, n, k, a, k, b, n, c, n, accumulate: false)));
        });
    }

    [Fact]
    public void ConcurrentCallers_EachGetTheSerialResult()
    {
        const int m = 200, n = 150, k = 120;
        double[] a = Random<double>(m * k, 3), b = Random<double>(k * n, 4);
        double[] expected = new double[m * n];
        WithThreads(1, () => Gemm.Multiply<double>(false, false, m, n, k, a, k, b, n, expected, n, accumulate: false));

        WithThreads(2, () =>
        {
            // Four callers race for the workers; those that find them busy run serially. All must agree exactly.
            var results = Enumerable.Range(0, 4).Select(_ => new double[m * n]).ToArray();
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, caller =>
            {
                for (int repeat = 0; repeat < 20; repeat++)
                    Gemm.Multiply<double>(false, false, m, n, k, a, k, b, n, results[caller], n, accumulate: false);
            });
            foreach (var result in results)
                Assert.Equal(expected, result);
        });
    }

    [Fact]
    public void TryRun_RethrowsAWorkerException_AfterEveryPartFinished()
    {
        int previous = KernelThreads.ThreadCount;
        KernelThreads.ThreadCount = 3;
        try
        {
            int finished = 0;
            var exception = Assert.Throws<InvalidOperationException>(() => RunCounting(&ThrowInPartTwo, ref finished));
            Assert.Equal("part 2 of 3", exception.Message);
            Assert.Equal(2, Volatile.Read(ref finished));

            // The workers are usable again afterwards.
            int count = 0;
            RunCounting(&CountPart, ref count);
            Assert.Equal(3, count);
        }
        finally
        {
            KernelThreads.ThreadCount = previous;
        }
    }

    private static void RunCounting(delegate*<int, int, void*, void> body, ref int counter)
    {
        fixed (int* state = &counter)
            Assert.True(KernelThreads.TryRun(body, state, 3));
    }

    [Fact]
    public void TryRun_WithOnePart_RunsNothing()
    {
        int count = 0;
        Assert.False(KernelThreads.TryRun(&CountPart, &count, 1));
        Assert.Equal(0, count);
    }

    [Fact]
    public void ThreadCount_BelowOne_IsRefused()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => KernelThreads.ThreadCount = 0);
        Assert.Equal("value", exception.ParamName);
    }

    private static void ThrowInPartTwo(int part, int parts, void* state)
    {
        if (part == 2)
            throw new InvalidOperationException($"part {part} of {parts}");
        Thread.Sleep(20);
        Interlocked.Increment(ref *(int*)state);
    }

    private static void CountPart(int part, int parts, void* state) => Interlocked.Increment(ref *(int*)state);

    private static void AssertSplitEqualsSerial<T>(int m, int n, int k, bool transA, bool transB, bool accumulate, int threads = 2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lda = transA ? m : k, ldb = transB ? k : n;
        T[] a = Random<T>(m * k, 5), b = Random<T>(k * n, 6), start = Random<T>(m * n, 7);
        T[] serial = (T[])start.Clone(), split = (T[])start.Clone();
        WithThreads(1, () => Gemm.Multiply<T>(transA, transB, m, n, k, a, lda, b, ldb, serial, n, accumulate));
        WithThreads(threads, () => Gemm.Multiply<T>(transA, transB, m, n, k, a, lda, b, ldb, split, n, accumulate));
        Assert.Equal(serial, split);
    }

    private static T[] Random<T>(int length, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => T.CreateTruncating(2 * random.NextDouble() - 1)).ToArray();
    }

    /// <summary>
    /// Bytes allocated by the whole process (every thread: the kernel workers too) over five calls of
    /// <paramref name="call"/>, the least over up to ten tries. Each try starts with a collection and the pending
    /// finalizers run, so an earlier test's finalizers do not allocate inside it; the least over the tries keeps the
    /// test runner's own allocations on its threads out, while an allocation in the call shows in every try.
    /// </summary>
    internal static long LeastProcessAllocations(Action call)
    {
        long least = long.MaxValue;
        for (int attempt = 0; attempt < 10 && least > 0; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 5; i++)
                call();
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        return least;
    }

    internal static void WithThreads(int threads, Action body)
    {
        int previous = KernelThreads.ThreadCount;
        KernelThreads.ThreadCount = threads;
        try
        {
            body();
        }
        finally
        {
            KernelThreads.ThreadCount = previous;
        }
    }
}
