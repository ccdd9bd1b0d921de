using System.Numerics;

namespace NGGen.Kernels;

// How a packed product is shared between the kernel threads: by rows (one packed B block shared, or one per part)
// or by columns, and the barrier the row parts meet at.
public static partial class Gemm
{
    // Columns per row of C from which a product is split by columns even when it has enough rows to split by rows.
    private const int WideColumnsPerRow = 8;

    // A packed product splits into two parts from 2^21 multiply-adds, when each part gets four row panels (MR rows)
    // or four column panels (NR columns). A fork-join with awake workers costs a few microseconds; 2^21
    // multiply-adds take about 40 µs on one core in float. Every two-core figure in bench/RESULTS.md is under this
    // rule.
    private const long MinWorkPerPart = 1L << 20;
    private const int MinPanelsPerPart = 4;

    // Beyond two parts (machines with more cores), a part per this much work and this many panels. On the GPU
    // machine's 16 cores (NativeAOT, Vector256), against one part per 2^20 multiply-adds and four panels, the MLP
    // at w256 b32 ran 1.7-3.2x faster, at w256 b256 1.1-1.3x, and at w1024 b2048 level within noise (bench/RESULTS.md,
    // "16 cores").
    private const long MinWorkPerExtraPart = 1L << 18;
    private const int MinPanelsPerExtraPart = 2;

    // Multiply-adds per thread and depth block below which a row split that shares a packed B (two barriers per
    // block) gives way to a column split of whole panels. On two threads, A·Bᵀ at 64×64×2048 (a 64-wide layer's weight
    // gradient) ran at 179 GFLOP/s split by columns against 74 by rows, 96×96×2048 148 against 100, 128×64×512 191
    // against 118; 64×64×2048 with B read in place (no barriers) stays with rows (181 against 146).
    private const long MinRowWorkPerBlock = 1L << 21;

    // The same bound for a product split in two. Each column part packs all of op(A), so the split trades a second
    // packing of A for the two barriers per block and the wait for the slower thread at each. On the Emerald Rapids VM
    // (two cores, thirteenth session, switched in one process) columns won wherever a row part had under 2^24
    // multiply-adds per block: 256×256×256 142 → 118 µs, 256×128×256 75 → 59, 128×256×128 49 → 32-45,
    // 256×1024×256 516-578 → 436, A·Bᵀ 256×256×2048 1162-1255 → 1066-1070; level at 2^24 (512×256×512, 512³) and
    // slower above (1024×256×1024 1874 → 1935-1998). Beyond two parts every extra part would pack A again, which was
    // not measured, so those keep the bound above. Nor does it apply to a product with an epilogue (its fused loop then
    // runs on half rows): with it, Linearize at w256 b256 went 0.462 → 0.511 ms and the gradient 1.221 → 1.277 ms.
    private const long MinRowWorkPerBlockOfTwo = 1L << 24;

    // Rows per part from which each of two row parts packs every depth block of B itself instead of sharing one packed
    // block: the copy costs one element per kc·nc multiply-adds of at least this many rows, and the parts then never
    // meet. Sharing costs more than the barriers (kept with private blocks: 0.988-0.991 against none): each part reads
    // the half of the block the other core packed. Alternated on the AMD EPYC VM (twenty-second session, paired
    // medians of 20 rounds, private against shared): 1024×256×1024 0.929-0.941, 1024×128×1024 0.926, Aᵀ·B
    // 1024×256×1024 0.938, A·Bᵀ 1024×1024×256 0.940, 1024×2048×1024 0.975, 2048×256×2048 0.985; level at 256 rows per
    // part (512³ 1.002) and 1.008 at 128 (256³ forced to split by rows). With more parts every part would pack the
    // whole block again, which was not measured, so they share it.
    private const int PrivatePackedBMinRowsPerPart = 512;

    // Depth below which two row parts pack their own B whatever their rows, instead of splitting by columns. A column
    // split interleaves the two parts' writes along every row of C, and on the AMD EPYC VM a core then often fetches
    // lines the other core owns (its prefetchers run past its half of a row): 256×256×32 A·Bᵀ (the 256-wide weight
    // gradient at a batch of 32) took 24-26 µs split by columns against 10-11 µs with the second part writing to a
    // separate buffer, in three processes out of four; in the others both took 11 µs. The fewer the multiply-adds
    // per element of C (the depth), the more those writes cost. Alternated (twenty-third session, paired medians of
    // 20 rounds, private rows against columns): 256×256×32 0.50-0.64 (0.97 when the column split was not slowed),
    // 512×512×32 0.60 and 0.97, 512×256×32 0.49, 256×512×32 0.65, 256×256×64 0.91-0.92, 384×384×64 0.94;
    // 256×256×128 1.01, 256³ 1.01-1.02. The MLP at w256 b32: gradient 0.946-0.949, VJP 0.925-0.934, GGN product
    // 0.951-0.964.
    private const int PrivatePackedBShallowDepth = 128;

    // Whether each row part packs its own B blocks: SplitOf chooses such a split by it and AttachCallerScratch sets it up.
    private static bool PacksPrivateB(int parts, int rowsPerPart, int k, bool readsBInPlace)
        => parts == 2 && !readsBInPlace && (rowsPerPart >= PrivatePackedBMinRowsPerPart || k < PrivatePackedBShallowDepth);

    // Splits a large product across KernelThreads. With enough rows (the usual case: a layer's weight times a
    // batch), the threads work as in BLIS: for each depth block they pack their share of the B panels into one
    // shared buffer, meet at a barrier, compute their own row blocks of C against the whole packed B, and meet
    // again before B is overwritten. With few rows, or many more columns than rows, C is split into column blocks
    // computed independently (each packs the small A itself). When op(B) is read in place (ReadsBInPlace), nothing is
    // shared and the row split needs no barriers. Every element of C is computed by one thread with the serial depth blocking, so
    // results are bitwise equal to a one-thread call.
    private static unsafe void MultiplyBlockedSplit<T>(
        bool transA, bool transB, int m, int n, int k, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool accumulate, EpilogueCall epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (split, parts) = SplitOf<T>(m, n, k, KernelThreads.ThreadCount, ReadsBInPlace<T>(transB, m, n), epilogue.IsPresent);
        bool inPlaceA = ReadsAInPlace<T>(m, n, k, transA, lda);
        bool tallA = UsesTallABlocks<T>(transA, inPlaceA, n);
        bool inPlaceB = ReadsBInPlace<T>(transB, m, n);
        int kcLimit = DepthLimit<T>(transA, inPlaceA, tallA, lda, inPlaceB, ldb);
        if (split != Split.None)
        {
            ReserveCallerScratch<T>(split, parts, m, n, k, kcLimit, tallA);
            var job = new SplitJob<T>
            {
                TransA = transA, TransB = transB, M = m, N = n, K = k, A = a, Lda = lda, B = b, Ldb = ldb, C = c,
                Ldc = ldc, Accumulate = accumulate, InPlaceA = inPlaceA, InPlaceB = inPlaceB,
                TallA = tallA, KcLimit = kcLimit, Epilogue = epilogue,
            };
            if (split == Split.Rows)
            {
                AttachCallerScratch(&job, parts);
                if (KernelThreads.TryRun(&RunRowPart<T>, &job, parts))
                    return;
            }
            else if (KernelThreads.TryRun(&RunColumnPart<T>, &job, parts))
            {
                return;
            }
        }

        MultiplyBlocked(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, epilogue, 0, tallA, kcLimit);
    }

    internal enum Split
    {
        None,
        Rows,
        Columns,
    }

    // How a packed product is shared, and among how many of `threads`: by rows when at least two parts get their
    // row panels, else by columns when at least two get their column panels, never into more parts than its work
    // allows. A wide product of a small A (a 64-wide layer over a batch of 2048) splits better by columns: each thread
    // packs the small A itself and needs no barrier. Measured 1.7x faster at 64x2048x64 than the row split. On the
    // GPU machine's 16 cores, a rule that split only across all threads left a 256-wide layer at batch 256, and every
    // 256-wide weight gradient, on one thread.
    internal static (Split Split, int Parts) SplitOf<T>(int m, int n, int k, int threads, bool readsBInPlace = false, bool hasEpilogue = false)
        where T : unmanaged
    {
        int limit = Parts((long)m * n * k, MinWorkPerPart, MinWorkPerExtraPart, threads);
        if (limit < 2)
            return (Split.None, 1);
        int mr = GemmMicroKernels.Mr<T>(), nr = GemmMicroKernels.Nr<T>();
        int rowParts = Math.Min(limit, Parts(m, MinPanelsPerPart * mr, MinPanelsPerExtraPart * mr, threads));
        if (rowParts >= 2 && n < WideColumnsPerRow * m)
        {
            // Row parts share each packed depth block of B and meet twice per block (two parts of 512 rows or more
            // pack their own and never meet: PrivatePackedBMinRowsPerPart). With little work per block
            // (a 64-wide weight gradient over a long batch: 32×64×256 per thread), whole column panels per thread,
            // each packing its own B, need no meeting at all, as long as they make as many parts.
            if (readsBInPlace)
                return (Split.Rows, rowParts);
            // Two parts that pack their own B never meet either: the 1024-wide weight gradient at a batch of 32
            // (1024×1024×32 A·Bᵀ) took 0.70 of the column split's time this way (AMD EPYC VM, twenty-second session),
            // and a shallow product never splits its C by columns (PrivatePackedBShallowDepth).
            if (rowParts == 2 && PacksPrivateB(2, RowsPerPart(m, 2, mr), k, readsBInPlace))
                return (Split.Rows, 2);
            int kc = EvenBlock(k, KcMax, 1), nc = ColumnBlock<T>(n);
            long rowWorkPerBlock = (long)((m + rowParts - 1) / rowParts) * Math.Min(nc, n) * kc;
            int panelParts = Math.Min(limit, Parts(n, nr, nr, threads));
            long minRowWork = rowParts == 2 && !hasEpilogue ? MinRowWorkPerBlockOfTwo : MinRowWorkPerBlock;
            return rowWorkPerBlock < minRowWork && panelParts >= rowParts ? (Split.Columns, panelParts) : (Split.Rows, rowParts);
        }
        int columnParts = Math.Min(limit, Parts(n, MinPanelsPerPart * nr, MinPanelsPerExtraPart * nr, threads));
        return columnParts >= 2 ? (Split.Columns, columnParts) : (Split.None, 1);
    }

    // Parts `amount` makes: none below two shares of `perPart`, else one per `perExtraPart`, at least two and at most
    // `threads`.
    private static int Parts(long amount, long perPart, long perExtraPart, int threads)
        => threads < 2 || amount < 2 * perPart ? 1 : (int)Math.Min(threads, Math.Max(2, amount / perExtraPart));

    /// <summary>Whether <see cref="Multiply{T}"/> computes a product with op(B) not transposed on the calling thread
    /// alone (the dot-block path, which splits on its own, needs op(B) transposed).</summary>
    internal static bool RunsOnOneThread<T>(int m, int n, int k)
        where T : unmanaged
        => UseDirect<T>(m, n, k) || SplitOf<T>(m, n, k, KernelThreads.ThreadCount, ReadsBInPlace<T>(false, m, n)).Split == Split.None;

    private static unsafe void RunColumnPart<T>(int part, int parts, void* state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = (SplitJob<T>*)state;
        int chunk = ColumnsPerPart<T>(job->N, parts);
        int start = part * chunk;
        int count = Math.Min(chunk, job->N - start);
        if (count <= 0)
            return;
        T* b = job->TransB ? job->B + (start * job->Ldb) : job->B + start;
        MultiplyBlocked(job->TransA, job->TransB, job->M, count, job->K, job->A, job->Lda, b, job->Ldb,
            job->C + start, job->Ldc, job->Accumulate, job->Epilogue, start, job->TallA, job->KcLimit);
    }

    // A sense-counting spin barrier: the last thread to arrive resets the count and opens the next generation.
    // Parts run truly concurrently (KernelThreads.TryRun guarantees a thread per part), so spinning is safe.
    private static unsafe void Barrier<T>(SplitJob<T>* job, int parts)
        where T : unmanaged
    {
        int generation = Volatile.Read(ref job->BarrierGeneration);
        if (Interlocked.Increment(ref job->BarrierArrived) == parts)
        {
            job->BarrierArrived = 0;
            Interlocked.Increment(ref job->BarrierGeneration);
            return;
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref job->BarrierGeneration) == generation)
            spin.SpinOnce(sleep1Threshold: -1);
    }
}
