using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary>
/// C (+)= A·Bᵀ for row-major A (m×k) and B (n×k) as blocks of 4×4 dot products, for the products whose rows are
/// long and few: a layer's weight gradient Σₛ gₛ·hₛᵀ, where k is the batch.
/// </summary>
/// <remarks>
/// Both operands are read in place along their rows, so nothing is packed: with m and n at most a few dozen, the
/// packed kernel spent more time packing A and Bᵀ (each element used only n or m times) than multiplying, and ran at
/// 16 GFLOP/s for 16×16×2048. Each block keeps 16 Vector512 accumulators (4 rows of A against 4 rows of B, 8 loads
/// per 16 FMAs) over the whole depth and reduces them once. Edge blocks repeat the last row of A or B and discard
/// the copies. Blocks of rows are split across <see cref="KernelThreads"/>; every element is still one dot product
/// in one fixed order, so the result does not depend on the thread count.
/// </remarks>
internal static unsafe class GemmDotBlocks
{
    private const int Block = 4;

    // Largest m and n taken: beyond, the packed kernel wins (see Applies).
    private const int MaxSide = 24;

    // Multiply-adds from which the row blocks are split across threads (as Gemm's packed split).
    private const long ParallelMinWork = 1L << 20;

    /// <summary>Whether this kernel runs C (+)= A·Bᵀ of this shape faster than the packed GEMM.</summary>
    /// <remarks>
    /// Measured on Vector512 against the packed kernel (2026-11-22): 16×16×2048 22 µs against 42-61, 64×64×2048
    /// 171-175 against 262-287, 96×96×2048 390 against 487-512; level at 128×128. With a short depth the 16
    /// reductions per block dominate: 64×64×128 took 40 µs against 12, 64×64×256 28 against 24. Hence the depth
    /// must be at least 8 times the larger side. Since the packed kernel broadcasts from memory and packs Bᵀ with 8×8
    /// transposes (2026-11-23, GFLOP/s on one thread), this kernel still wins at 16×16×2048 (62 against 24-29) and
    /// 24×24×2048 (62 against 53) but no longer at 32×32 (59 against 100), 64×64 (50-59 against 98-107) or 96×96
    /// (44-74 against 68-104); on two threads the packed 64×64×2048 splits by columns and runs at 149-179 against
    /// 87-100. (On two threads this kernel would still win at 32 and 48, where the packed product does not split,
    /// 101 against 83 and 109 against 78; the choice does not depend on the thread count, so results do not either.)
    /// </remarks>
    internal static bool Applies<T>(bool transA, bool transB, int m, int n, int k)
        where T : unmanaged
        => typeof(T) == typeof(float) && Vector512.IsHardwareAccelerated && !transA && transB
           && m >= Block && n >= Block && m <= MaxSide && n <= MaxSide && k >= 128 && k >= 8 * Math.Max(m, n);

    internal static void Multiply(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        var job = new Job { M = m, N = n, K = k, A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc, Accumulate = accumulate };
        int rowBlocks = (m + Block - 1) / Block;
        int threads = Math.Min(KernelThreads.ThreadCount, rowBlocks);
        if (threads > 1 && (long)m * n * k >= ParallelMinWork && KernelThreads.TryRun(&RunPart, &job, threads))
            return;
        RunPart(0, 1, &job);
    }

    private struct Job
    {
        public int M, N, K;
        public float* A, B, C;
        public nint Lda, Ldb, Ldc;
        public bool Accumulate;
    }

    private static void RunPart(int part, int parts, void* state)
    {
        var job = (Job*)state;
        int rowBlocks = (job->M + Block - 1) / Block;
        var (first, end) = KernelThreads.Share(rowBlocks, part, parts);
        for (int block = first; block < end; block++)
        {
            int i0 = block * Block;
            for (int j0 = 0; j0 < job->N; j0 += Block)
                RunBlock(job, i0, j0);
        }
    }

    private static void RunBlock(Job* job, int i0, int j0)
    {
        int m = job->M, n = job->N, k = job->K;
        // Rows past the edge repeat the last row; their results are computed and dropped.
        float* a0 = job->A + (Math.Min(i0, m - 1) * job->Lda), a1 = job->A + (Math.Min(i0 + 1, m - 1) * job->Lda);
        float* a2 = job->A + (Math.Min(i0 + 2, m - 1) * job->Lda), a3 = job->A + (Math.Min(i0 + 3, m - 1) * job->Lda);
        float* b0 = job->B + (Math.Min(j0, n - 1) * job->Ldb), b1 = job->B + (Math.Min(j0 + 1, n - 1) * job->Ldb);
        float* b2 = job->B + (Math.Min(j0 + 2, n - 1) * job->Ldb), b3 = job->B + (Math.Min(j0 + 3, n - 1) * job->Ldb);

        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        int p = 0;
        for (; p + Vector512<float>.Count <= k; p += Vector512<float>.Count)
        {
            var vb0 = Vector512.Load(b0 + p);
            var vb1 = Vector512.Load(b1 + p);
            var vb2 = Vector512.Load(b2 + p);
            var vb3 = Vector512.Load(b3 + p);
            var va = Vector512.Load(a0 + p);
            c00 = Vector512.FusedMultiplyAdd(va, vb0, c00);
            c01 = Vector512.FusedMultiplyAdd(va, vb1, c01);
            c02 = Vector512.FusedMultiplyAdd(va, vb2, c02);
            c03 = Vector512.FusedMultiplyAdd(va, vb3, c03);
            va = Vector512.Load(a1 + p);
            c10 = Vector512.FusedMultiplyAdd(va, vb0, c10);
            c11 = Vector512.FusedMultiplyAdd(va, vb1, c11);
            c12 = Vector512.FusedMultiplyAdd(va, vb2, c12);
            c13 = Vector512.FusedMultiplyAdd(va, vb3, c13);
            va = Vector512.Load(a2 + p);
            c20 = Vector512.FusedMultiplyAdd(va, vb0, c20);
            c21 = Vector512.FusedMultiplyAdd(va, vb1, c21);
            c22 = Vector512.FusedMultiplyAdd(va, vb2, c22);
            c23 = Vector512.FusedMultiplyAdd(va, vb3, c23);
            va = Vector512.Load(a3 + p);
            c30 = Vector512.FusedMultiplyAdd(va, vb0, c30);
            c31 = Vector512.FusedMultiplyAdd(va, vb1, c31);
            c32 = Vector512.FusedMultiplyAdd(va, vb2, c32);
            c33 = Vector512.FusedMultiplyAdd(va, vb3, c33);
        }

        Store(job, i0, j0, 0, a0, b0, b1, b2, b3, p, c00, c01, c02, c03);
        Store(job, i0, j0, 1, a1, b0, b1, b2, b3, p, c10, c11, c12, c13);
        Store(job, i0, j0, 2, a2, b0, b1, b2, b3, p, c20, c21, c22, c23);
        Store(job, i0, j0, 3, a3, b0, b1, b2, b3, p, c30, c31, c32, c33);
    }

    // Reduces one row of a block, adds the depth that did not fill a vector, and writes the elements inside C.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(
        Job* job, int i0, int j0, int row, float* a, float* b0, float* b1, float* b2, float* b3, int tail,
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        int i = i0 + row;
        if (i >= job->M)
            return;
        float* cRow = job->C + (i * job->Ldc) + j0;
        int columns = Math.Min(Block, job->N - j0);
        Span<float> sums = [Vector512.Sum(s0), Vector512.Sum(s1), Vector512.Sum(s2), Vector512.Sum(s3)];
        for (int p = tail; p < job->K; p++)
        {
            sums[0] += a[p] * b0[p];
            sums[1] += a[p] * b1[p];
            sums[2] += a[p] * b2[p];
            sums[3] += a[p] * b3[p];
        }

        for (int j = 0; j < columns; j++)
            cRow[j] = job->Accumulate ? cRow[j] + sums[j] : sums[j];
    }
}
