using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NGGen.Kernels;

/// <summary>
/// Dense general matrix multiplication (GEMM) on row-major <see cref="float"/> and <see cref="double"/> matrices.
/// </summary>
/// <remarks>
/// Large products use the packed, cache-blocked scheme of Goto and van de Geijn: op(B) is packed a kc×nc block at
/// a time, op(A) an mc×kc block at a time, and a register-blocked FMA micro-kernel (Vector512, Vector256 or scalar,
/// chosen by the hardware) computes MR×NR tiles of C. Packing buffers are per-thread and reused, so steady-state
/// calls do not allocate. Skinny and tiny products skip packing, and an operand that few panels of the other would
/// reuse (op(A) for at most two column panels, op(B) for two row or column panels) is read in place, as is an
/// untransposed op(A) whose rows are long (a depth of 128 or more).
/// </remarks>
public static class Gemm
{
    // Depth of a packed block: each load and store of a C tile is amortised over kc FMAs per accumulator, while
    // the A micro-panel (kc·MR elements, 8-16 KiB) stays in L1. 128-256 measured best; smaller wastes C traffic.
    private const int KcMax = 256;

    // Bytes of one packed B block (kc·nc elements), which the inner loop sweeps once per A micro-panel: it must
    // stay resident in L2 next to the C rows being updated, so it takes half the core's L2 (1 MiB where the size is
    // unknown, measured best on the 2 MiB L2 of the Emerald Rapids VM). On the AMD EPYC VM (1 MiB L2, twenty-second
    // session, paired medians of 20 rounds) half its L2 against 1 MiB: 1024×2048×1024 0.969 on one thread and 0.944
    // on two, 1024³ 0.970, A·Bᵀ 1024³ 0.950; the MLP gradient at w1024 b2048 0.946-0.963, w256 b2048 0.981, w1024
    // b256 0.989. A quarter of it was 1.011-1.017 against half (A·Bᵀ 0.979).
    private static readonly int PackedBBlockBytes = CacheSizes.L2Bytes > 0 ? CacheSizes.L2Bytes / 2 : 1 << 20;

    // Rows of C per packed A block, in MR-row micro-panels.
    private const int McPanels = 16;

    // op(A) = Aᵀ packed for at most two column panels of C (a wide layer's input cotangent Wᵀ·D at a small batch): each
    // packed element then feeds only one or two micro-kernel calls, so how fast the packing reads the stored A decides
    // the product. Packing takes each op(A) block's rows from every row of the stored A in one run; blocks of McPanels
    // panels make those runs 512 bytes (float), each in a new page at width 1024. Such products pack one block of all
    // the part's rows (up to TallBlockMaxRows, so 2-4 KiB runs) at a shallower depth, which keeps the block in L2.
    // Alternated on the Emerald Rapids VM (eighteenth session, 100 rounds, paired medians): 1024×32×1024 float 0.95×
    // the time on two threads and 0.94× on one, 1024×64×1024 0.85× and 0.86×, in double 1024×32×1024 0.84× and 0.85×;
    // depths 64 and 128 gained a little less (0.85-0.98×). With four or more column panels the same blocks were slower
    // (1024×128×1024 1.015×, 1024×256×1024 1.02×, 256³ 1.27×). Since the nineteenth session op(A) = Aᵀ is read in place
    // for up to 32 columns whatever its row stride (ReadsAInPlace), so the tall blocks serve 33-64 float columns from
    // rows of 4 KiB or more (and, until the twentieth session, row counts not a multiple of MR/2).
    private const int TallBlockKc = 96;
    private const int TallBlockMaxRows = 1024;

    // Work (m·n·k) up to which packing costs more than the micro-kernel saves.
    private const long DirectMaxWork = 8 * 8 * 8;

    // Columns of C up to which gathering op(B) into dot-product form beats packing.
    private const int DirectMaxColumns = 4;

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

    /// <summary>
    /// Computes <c>C = op(A)·op(B)</c> (<paramref name="accumulate"/> false) or <c>C += op(A)·op(B)</c> (true).
    /// </summary>
    /// <remarks>
    /// All matrices are row-major. op(A) is <paramref name="m"/>×<paramref name="k"/>, op(B) is
    /// <paramref name="k"/>×<paramref name="n"/> and C is <paramref name="m"/>×<paramref name="n"/> with element
    /// (i, j) at <c>c[i*ldc + j]</c>. With <paramref name="transposeA"/> false, op(A)(i, p) = <c>a[i*lda + p]</c>;
    /// with it true, op(A)(i, p) = <c>a[p*lda + i]</c>. B and <paramref name="ldb"/> work the same way.
    /// <paramref name="c"/> must not overlap <paramref name="a"/> or <paramref name="b"/>.
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="transposeA">Whether op(A) is the transpose of the stored A.</param>
    /// <param name="transposeB">Whether op(B) is the transpose of the stored B.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A) and rows of op(B).</param>
    /// <param name="a">Storage of A.</param>
    /// <param name="lda">Row stride of the stored A, at least its row length (k, or m when transposed).</param>
    /// <param name="b">Storage of B.</param>
    /// <param name="ldb">Row stride of the stored B, at least its row length (n, or k when transposed).</param>
    /// <param name="c">Storage of C.</param>
    /// <param name="ldc">Row stride of C, at least <paramref name="n"/>.</param>
    /// <param name="accumulate">Whether to add the product to C instead of overwriting it.</param>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a leading dimension is too small.</exception>
    /// <exception cref="ArgumentException">
    /// A span is too short for its matrix, or <paramref name="c"/> overlaps an input.
    /// </exception>
    public static void Multiply<T>(
        bool transposeA,
        bool transposeB,
        int m,
        int n,
        int k,
        ReadOnlySpan<T> a,
        int lda,
        ReadOnlySpan<T> b,
        int ldb,
        Span<T> c,
        int ldc,
        bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        unsafe
        {
            MultiplyCore(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, default);
        }
    }

    /// <summary>
    /// Computes <c>C = op(A)·op(B)</c> or <c>C += op(A)·op(B)</c> as <see cref="Multiply{T}"/> does, then runs
    /// <paramref name="epilogue"/> on every block of C once it holds its final values, while the block is still in
    /// cache. Each element of C is passed to the epilogue exactly once, by the thread that computed it.
    /// </summary>
    /// <remarks>
    /// The epilogue must read and write only the elements of its block (in C or in other arrays laid out like C),
    /// and must not write A or B: blocks finish while other blocks are still being computed from them.
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <typeparam name="TEpilogue">The epilogue, usually a generated fused loop.</typeparam>
    /// <param name="transposeA">Whether op(A) is the transpose of the stored A.</param>
    /// <param name="transposeB">Whether op(B) is the transpose of the stored B.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A) and rows of op(B).</param>
    /// <param name="a">Storage of A.</param>
    /// <param name="lda">Row stride of the stored A.</param>
    /// <param name="b">Storage of B.</param>
    /// <param name="ldb">Row stride of the stored B.</param>
    /// <param name="c">Storage of C.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="accumulate">Whether to add the product to C instead of overwriting it.</param>
    /// <param name="epilogue">The work to run on each finished block of C; taken by value, like a fused loop body, so
    /// the blocks run on this call's copy (what it writes through spans is seen, changes to its own fields are not).</param>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a leading dimension is too small.</exception>
    /// <exception cref="ArgumentException">
    /// A span is too short for its matrix, or <paramref name="c"/> overlaps an input.
    /// </exception>
    public static void Multiply<T, TEpilogue>(
        bool transposeA,
        bool transposeB,
        int m,
        int n,
        int k,
        ReadOnlySpan<T> a,
        int lda,
        ReadOnlySpan<T> b,
        int ldb,
        Span<T> c,
        int ldc,
        bool accumulate,
        TEpilogue epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TEpilogue : IGemmEpilogue, allows ref struct
    {
        unsafe
        {
            // The copy lives in this frame, which stays put until every part of the product is done.
            MultiplyCore(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, EpilogueCall.For<TEpilogue>(Unsafe.AsPointer(ref epilogue)));
        }
    }

    private static unsafe void MultiplyCore<T>(
        bool transposeA,
        bool transposeB,
        int m,
        int n,
        int k,
        ReadOnlySpan<T> a,
        int lda,
        ReadOnlySpan<T> b,
        int ldb,
        Span<T> c,
        int ldc,
        bool accumulate,
        EpilogueCall epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            ThrowNotSupported(typeof(T));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        int aLength = RequiredLength(transposeA ? k : m, transposeA ? m : k, lda, a.Length, nameof(a), nameof(lda));
        int bLength = RequiredLength(transposeB ? n : k, transposeB ? k : n, ldb, b.Length, nameof(b), nameof(ldb));
        int cLength = RequiredLength(m, n, ldc, c.Length, nameof(c), nameof(ldc));

        if (m == 0 || n == 0)
        {
            return;
        }

        Span<T> cUsed = c[..cLength];
        if (cUsed.Overlaps(a[..aLength]))
        {
            throw new ArgumentException("The output matrix overlaps the input matrix A.", nameof(c));
        }

        if (cUsed.Overlaps(b[..bLength]))
        {
            throw new ArgumentException("The output matrix overlaps the input matrix B.", nameof(c));
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    c.Slice(i * ldc, n).Clear();
                }
            }

            epilogue.Run(0, m, 0, n);
            return;
        }

        {
            fixed (T* pa = a)
            fixed (T* pb = b)
            fixed (T* pc = c)
            {
                if (GemmDotBlocks.Applies<T>(transposeA, transposeB, m, n, k))
                {
                    GemmDotBlocks.Multiply(m, n, k, (float*)pa, lda, (float*)pb, ldb, (float*)pc, ldc, accumulate);
                    epilogue.Run(0, m, 0, n);
                }
                else if (UseDirect<T>(m, n, k))
                {
                    bool gatherColumns = n <= DirectMaxColumns;
                    GemmDirect.Multiply(
                        transposeA, transposeB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, gatherColumns);
                    epilogue.Run(0, m, 0, n);
                }
                else
                {
                    MultiplyBlockedSplit(transposeA, transposeB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, epilogue);
                }
            }
        }
    }

    // Packing pays off only when each packed element is reused across enough micro-kernel FMAs. With fewer than
    // MR/2 rows or a handful of columns the padded micro-kernel would mostly multiply zeros; the unpacked
    // row-by-row products measured 2-6x faster there.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool UseDirect<T>(int m, int n, int k)
        where T : unmanaged
        => m < GemmMicroKernels.Mr<T>() / 2 || n <= DirectMaxColumns || (long)m * n * k <= DirectMaxWork;

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

    // Row panels (MR rows each) up to which op(B) is read in place rather than packed.
    private const int InPlaceBMaxRowPanels = 2;

    // Column panels (NR columns each) up to which op(B) is read in place: its rows are then at most two panels
    // wide, so a depth block of B is nearly contiguous already and packing it only copies it.
    private const int InPlaceBMaxColumnPanels = 2;

    // op(B) is read in place, unpacked, when it is not transposed (a k step's NR values are then one or two vector
    // loads from one row) and packing cannot pay for its copy: few row panels reuse each packed element, or B is
    // so narrow that its rows are already nearly contiguous. Measured against packing, float, one call at a time:
    // 16×16×16 0.8 → 0.4 µs, 16×256×16 2.7 → 2.2 µs, 256×32×256 45-50 → 38-45 µs; with 64 or more rows over wide
    // B, reading B in place ran 20-90% slower (a k step strides a whole row of B, a new page every step). Every
    // column tile must be a whole kernel shape (full or half width): a partial one would read past B's rows.
    private static bool ReadsBInPlace<T>(bool transB, int m, int n)
        where T : unmanaged
        => !transB
            && (m <= InPlaceBMaxRowPanels * GemmMicroKernels.Mr<T>() || n <= InPlaceBMaxColumnPanels * GemmMicroKernels.Nr<T>())
            && n % (GemmMicroKernels.Nr<T>() / 2) == 0;

    // Column panels (NR columns each) of C up to which op(A) is read in place rather than packed, whatever its depth.
    private const int InPlaceAMaxColumnPanels = 2;

    // Depth from which an untransposed op(A) is read in place at any number of columns.
    private const int InPlaceAMinDepthAnyWidth = 128;

    // op(A) is read in place, unpacked, when few column panels would reuse a packed copy: at a batch of 32, packing
    // a 1024×1024 weight took 40% of the product, and reading it in place made the product 1.2-1.4× faster (float).
    // An untransposed A is also read in place at any width once its rows are long enough: the kernel then reads MR
    // rows of A, each front to back, which the prefetchers follow as well as a packed panel, and the copy is saved.
    // Alternated on the Emerald Rapids VM (sixteenth session): 256³ 118 → 111 µs on two threads, in double 240 → 223;
    // 1024×256×1024 1899 → 1794 µs; the weight gradient A·Bᵀ 256×256×2048 1060 → 1000; 128×1024×128 112 → 111; level
    // at depth 64 (64×2048×64 61.7 against 61.8) and 3% slower at depth 16 (16×2048×16 10.1 → 10.4). (On the old host,
    // ninth session, it was ±10% at 128-256 columns, and packing was kept.) The Vector512 and Vector256 kernels
    // read A in place (the scalar one does not); a last row panel of less than a whole kernel height (MR or MR/2
    // rows), which would read past A, is packed (RunRowPart). On the Vector256 kernel (DOTNET_EnableAVX512=0, same VM,
    // twentieth session, paired against packing A, two threads): 256×32×256 0.60, 1024×32×1024 0.56, 256³ 0.85,
    // 1024×256×1024 0.91, Aᵀ·B 256×32×256 0.79 and 1024×32×1024 0.75 (one thread), in double 256×32×256 0.58. Before,
    // only the Vector512 kernel read A in place, and only when MR/2 divided m: dropping that on Vector512 gave 50×32×50
    // 0.87, 130×256×256 0.94, 1030×32×1024 Aᵀ·B 0.85, 1026×256×1024 0.95, 258×32×256 0.82.
    // op(A) = Aᵀ in place steps a whole row of the stored A per k, so it is read in place only for
    // few columns, in depth blocks short enough for the rows they touch to stay within a few dozen pages
    // (InPlaceDepth). From rows of 4 KiB or more it is read in place only for up to 32 columns: with wider C
    // the tall packed blocks won. `wideRows` false forbids those rows: a column part of a product that did not read
    // them in place would otherwise do so at the whole product's full depth.
    private static unsafe bool ReadsAInPlace<T>(int m, int n, int k, bool transA, nint lda, bool wideRows = true)
        where T : unmanaged
        => GemmMicroKernels.UseVector
            && (transA
                ? n <= InPlaceAMaxColumnPanels * GemmMicroKernels.Nr<T>() && (lda * sizeof(T) < InPlaceAMaxTransposedRowBytes || (wideRows && n <= InPlaceAWideRowsMaxColumns))
                : n <= InPlaceAMaxColumnPanels * GemmMicroKernels.Nr<T>() || k >= InPlaceAMinDepthAnyWidth);

    // Row stride of a stored A from which op(A) = Aᵀ is read in place only for C of up to InPlaceAWideRowsMaxColumns
    // columns: a page. Alternated on the Emerald Rapids VM (nineteenth session, paired ratio in place / tall packed
    // blocks, median of 40-80 rounds, two threads): 1024×32×1024 0.86-0.92 (0.87 on one thread), 2048×32×2048 0.89,
    // 4096×32×4096 0.97, in double 1024×32×1024 0.88-0.91, 1024×16×1024 0.73; with more columns the packed blocks won
    // (1024×48×1024 1.07, 2048×64×2048 1.07, in double 1024×48×1024 1.17, 1024×64×1024 level).
    private const int InPlaceAMaxTransposedRowBytes = 4096;
    private const int InPlaceAWideRowsMaxColumns = 32;

    // Whether op(A) = Aᵀ is packed in TallBlockKc-deep blocks of a part's whole height. Decided from the whole
    // product's columns, so that a column part of a split product blocks its depth as the one-thread call does and the
    // bits agree.
    private static bool UsesTallABlocks<T>(bool transA, bool inPlaceA, int n)
        where T : unmanaged
        => transA && !inPlaceA && n <= InPlaceAMaxColumnPanels * GemmMicroKernels.Nr<T>();

    private static int RowsPerPart(int m, int parts, int mr) => EvenBlock(m, (m + parts - 1) / parts, mr);

    private static int ColumnsPerPart<T>(int n, int parts)
        where T : unmanaged
        => EvenBlock(n, (n + parts - 1) / parts, GemmMicroKernels.Nr<T>());

    // Rows of C per packed A block for a part of `rows` rows.
    private static int RowBlock(int rows, int mr, bool tallA) => EvenBlock(rows, tallA ? TallBlockMaxRows : McPanels * mr, mr);

    // Blocks of equal size per dimension (EvenBlock), so a dimension just over the limit is not split into a full block
    // and a sliver that runs the micro-kernel with poor reuse: nc columns of packed B here (a block stays in L2), the
    // depth kc from DepthLimit.
    private static int ColumnBlock<T>(int n)
        where T : unmanaged
        => EvenBlock(n, MaxPackedBColumns<T>(), GemmMicroKernels.Nr<T>());

    /// <summary>The most columns of one packed B block (before <see cref="EvenBlock"/> evens the blocks out).</summary>
    internal static unsafe int MaxPackedBColumns<T>()
        where T : unmanaged
        => PackedBBlockBytes / (KcMax * sizeof(T));

    // Greatest depth of a block (before EvenBlock evens the blocks out), decided for the whole product so that its
    // column parts block their depth as the one-thread call does and the bits agree: shallow for op(A) packed in tall
    // blocks (UsesTallABlocks), for op(A) = Aᵀ read in place and for op(B) read in place from long rows
    // (InPlaceDepth with their budgets), else KcMax.
    private static int DepthLimit<T>(bool transA, bool inPlaceA, bool tallA, nint lda, bool inPlaceB, nint ldb)
        where T : unmanaged
    {
        int limit = tallA ? TallBlockKc : transA && inPlaceA ? InPlaceDepth<T>(InPlaceTransposedBlockBytes, lda) : KcMax;
        return inPlaceB ? Math.Min(limit, InPlaceDepth<T>(InPlaceBBlockBytes, ldb)) : limit;
    }

    // The depth at which kc rows of stride `ld` span at most `blockBytes`, between InPlaceMinDepth and KcMax.
    private static unsafe int InPlaceDepth<T>(int blockBytes, nint ld)
        where T : unmanaged
        => (int)Math.Clamp(blockBytes / (ld * sizeof(T)), InPlaceMinDepth, KcMax);

    // Depth blocks for op(A) = Aᵀ read in place span at most this many bytes of the stored A's rows. Each
    // micro-kernel call reads MR values from every row of the block, and the next call the next MR values of the same
    // rows, so a block is kc streams run side by side; past about 64 pages (the L1 TLB's reach on this core) the
    // product slowed sharply. Alternated on the Emerald Rapids VM (nineteenth session, paired ratio against the
    // previous rule, median of 40-80 rounds, two threads): depth 64 at 4 KiB rows (1024×32×1024 0.86-0.92 against
    // tall packed blocks; depth 32: 0.91, 48: 0.87-0.89, 96: 1.16, 128: 1.25), depth 128 at 2 KiB rows (512×32×512
    // 0.93, 512×64×512 0.79-0.80 against depth 256; depth 64: 0.97 and 0.82), depth 32 at 8 KiB (double
    // 1024×32×1024 0.88-0.92; depth 64: 0.98, 128: 1.25). Rows up to 1 KiB keep KcMax (256×32×256 and 256×64×256
    // level); 384×32×384 (1.5 KiB rows, depth 128) was 1.02.
    private const int InPlaceTransposedBlockBytes = 256 * 1024;
    private const int InPlaceMinDepth = 16;

    // Depth blocks for op(B) read in place span at most this many bytes of B's rows, for the same reason: with at
    // most two row panels (a layer of up to 16 outputs over a wide batch) each k step of every micro-kernel call reads
    // a new row of B. Alternated on the Emerald Rapids VM (nineteenth session, paired ratio against depth 256, median
    // of 40 rounds, two threads): 16×2048×1024 0.82, 16×2048×2048 0.80, 16×1024×1024 0.95, 8×2048×512 0.90,
    // 16×4096×256 0.94; a budget of 256 KiB gained more at 4 KiB rows (16×1024×1024 0.83) but lost at 16 KiB
    // (16×4096×256 1.05). With fewer rows it gained too (8×2048×1024 0.83, 8×2048×512 0.87, 4×2048×1024 0.88) except
    // at 6 rows, a half-height tile and a 2-row edge (6×2048×512 1.11-1.26), and at 4×4096×512 (1.04). On the Vector256
    // kernel (DOTNET_EnableAVX512=0) it gained everywhere: 12×2048×1024 0.80, 12×2048×2048 0.84, 12×1024×1024 0.94,
    // 12×4096×256 0.88, 6×2048×512 0.80, 6×2048×1024 0.74. Rows up to 2 KiB keep KcMax, as does every B of at most
    // two column panels that is not a slice of a wider matrix.
    private const int InPlaceBBlockBytes = 512 * 1024;

    // Fixes the job's blocking and points it at the calling thread's scratch: part 0's packed A block and tile, then
    // the packed B block every part shares (or part 0's own, PrivatePackedB). Part 0's A block is sized from the rows it will really have, as
    // RunRowPart computes them. The blocking is computed once here: a small product is short enough for the
    // integer divisions to show.
    private static unsafe void AttachCallerScratch<T>(SplitJob<T>* job, int parts)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kc = EvenBlock(job->K, job->KcLimit, 1);
        int nc = ColumnBlock<T>(job->N);
        int chunk = parts == 1 ? job->M : RowsPerPart(job->M, parts, GemmMicroKernels.Mr<T>());
        (job->Kc, job->Nc, job->RowsPerPart) = (kc, nc, chunk);
        int rows = Math.Min(chunk, job->M);
        job->PrivatePackedB = PacksPrivateB(parts, chunk, job->K, job->InPlaceB);
        nint ownLength = OwnScratchLength<T>(rows, kc, job->TallA);
        job->CallerScratch = GemmScratch<T>.Get(ownLength + GemmScratch<T>.AlignLength((nint)nc * kc));
        job->SharedPackedB = job->CallerScratch + ownLength;
    }

    // Grows the calling thread's scratch to fit both ways a split product may run on it: its own part of the split,
    // or the whole product serially when the workers are busy (another thread's product holds them). Sized for one
    // only, a caller whose products sometimes find the workers busy allocated a larger scratch on its first
    // fallback, long after warm-up (CI caught it once, in a test run beside others that split).
    private static unsafe void ReserveCallerScratch<T>(Split split, int parts, int m, int n, int k, int kcLimit, bool tallA)
        where T : unmanaged
    {
        int kc = EvenBlock(k, kcLimit, 1);
        nint serial = BlockedScratchLength<T>(m, n, kc, tallA);
        nint ownPart = split == Split.Rows
            ? BlockedScratchLength<T>(Math.Min(RowsPerPart(m, parts, GemmMicroKernels.Mr<T>()), m), n, kc, tallA)
            : BlockedScratchLength<T>(m, Math.Min(ColumnsPerPart<T>(n, parts), n), kc, tallA);
        GemmScratch<T>.Get(Math.Max(serial, ownPart));
    }

    // What AttachCallerScratch asks for: a part of `rows` rows and `columns` columns at depth blocks of `kc`.
    private static nint BlockedScratchLength<T>(int rows, int columns, int kc, bool tallA)
        where T : unmanaged
        => OwnScratchLength<T>(rows, kc, tallA) + GemmScratch<T>.AlignLength((nint)ColumnBlock<T>(columns) * kc);

    // Packed A block plus one scratch tile, for a thread computing `rows` rows at depth blocks of `kc`.
    private static nint OwnScratchLength<T>(int rows, int kc, bool tallA)
        where T : unmanaged
    {
        int mr = GemmMicroKernels.Mr<T>();
        int mc = RowBlock(rows, mr, tallA);
        return GemmScratch<T>.AlignLength((nint)mc * kc) + GemmScratch<T>.AlignLength((nint)mr * GemmMicroKernels.Nr<T>());
    }

    private static unsafe void RunRowPart<T>(int part, int parts, void* state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = (SplitJob<T>*)state;
        int m = job->M, n = job->N, k = job->K;
        int mr = GemmMicroKernels.Mr<T>();
        int nr = GemmMicroKernels.Nr<T>();
        int kc = job->Kc, nc = job->Nc, chunk = job->RowsPerPart;
        int rowStart = Math.Min(part * chunk, m), rowEnd = Math.Min(rowStart + chunk, m);
        int rows = Math.Max(rowEnd - rowStart, 1);
        int mc = RowBlock(rows, mr, job->TallA);

        // Sized from this part's own row count: the block height is not monotonic in it (121 rows make one block
        // of 128, 136 rows two of 72). Part 0's scratch was sized the same way by AttachCallerScratch.
        // A part with a private B block packs it after its own A block and tile; part 0's is the caller's.
        bool privateB = job->PrivatePackedB;
        nint ownLength = OwnScratchLength<T>(rows, kc, job->TallA);
        T* own = part == 0 ? job->CallerScratch : GemmScratch<T>.Get(ownLength + (privateB ? GemmScratch<T>.AlignLength((nint)nc * kc) : 0));
        T* packedA = own;
        T* tile = own + GemmScratch<T>.AlignLength((nint)mc * kc);
        T* packedB = part == 0 || !privateB ? job->SharedPackedB : own + ownLength;
        bool meets = parts > 1 && !job->InPlaceB && !privateB;
        // In place, a B panel starts at its first column and steps a row of B per k; packed, panels are kc·NR
        // apart and step NR.
        T* bPanels = packedB;
        nint bStride = job->InPlaceB ? job->Ldb : nr;

        for (int jc = 0; jc < n; jc += nc)
        {
            int ncCur = Math.Min(nc, n - jc);
            int panels = (ncCur + nr - 1) / nr;
            int panelsPerPart = parts == 1 || privateB ? panels : (panels + parts - 1) / parts;
            int firstPanel = privateB ? 0 : Math.Min(part * panelsPerPart, panels), endPanel = Math.Min(firstPanel + panelsPerPart, panels);
            for (int pc = 0; pc < k; pc += kc)
            {
                int kcCur = Math.Min(kc, k - pc);
                if (job->InPlaceB)
                {
                    bPanels = job->B + (pc * job->Ldb) + jc;
                }
                else if (firstPanel < endPanel)
                {
                    int column = jc + (firstPanel * nr);
                    int columns = Math.Min(ncCur, endPanel * nr) - (firstPanel * nr);
                    T* bBlock = job->TransB ? job->B + (column * job->Ldb) + pc : job->B + (pc * job->Ldb) + column;
                    GemmPacking.PackB(job->TransB, bBlock, job->Ldb, kcCur, columns, packedB + ((nint)firstPanel * nr * kcCur));
                }
                if (meets)
                    Barrier(job, parts);

                bool load = job->Accumulate || pc > 0;
                bool final = pc + kcCur == k;
                nint bPanelStep = job->InPlaceB ? 1 : kcCur;
                for (int ic = rowStart; ic < rowEnd; ic += mc)
                {
                    int mcCur = Math.Min(mc, rowEnd - ic);
                    T* aBlock = job->TransA ? job->A + (pc * job->Lda) + ic : job->A + (ic * job->Lda) + pc;
                    T* cBlock = job->C + (ic * job->Ldc) + jc;
                    // In place, a row panel of op(A) = Aᵀ starts MR columns of A further and steps a row of A per k;
                    // one of a row-major A starts MR rows further, its rows lda apart. Packed, panels are kc·MR apart.
                    // Read in place, a kernel reads a whole tile height (MR or MR/2 rows) of op(A); a last panel of
                    // any other height would read past A, so it is packed like a packed A's panels.
                    int packedTail = job->InPlaceA && mcCur % mr != 0 && mcCur % mr != mr / 2 ? mcCur % mr : 0;
                    int inPlaceRows = job->InPlaceA ? mcCur - packedTail : 0;
                    EpilogueCall epilogue = final ? job->Epilogue : default;
                    if (inPlaceRows > 0 && job->TransA)
                    {
                        MacroKernel<T, StepsOfA>(inPlaceRows, ncCur, kcCur, aBlock, mr, job->Lda, bPanels, bPanelStep, bStride, cBlock, job->Ldc, load, tile, epilogue, ic, job->ColumnOffset + jc);
                    }
                    else if (inPlaceRows > 0)
                    {
                        MacroKernel<T, RowsOfA>(inPlaceRows, ncCur, kcCur, aBlock, mr * job->Lda, job->Lda, bPanels, bPanelStep, bStride, cBlock, job->Ldc, load, tile, epilogue, ic, job->ColumnOffset + jc);
                    }

                    int packedRows = mcCur - inPlaceRows;
                    if (packedRows > 0)
                    {
                        T* aRows = job->TransA ? aBlock + inPlaceRows : aBlock + (inPlaceRows * job->Lda);
                        GemmPacking.PackA(job->TransA, aRows, job->Lda, packedRows, kcCur, packedA);
                        MacroKernel<T, StepsOfA>(packedRows, ncCur, kcCur, packedA, (nint)mr * kcCur, mr, bPanels, bPanelStep, bStride, cBlock + (inPlaceRows * job->Ldc), job->Ldc, load, tile, epilogue, ic + inPlaceRows, job->ColumnOffset + jc);
                    }

                }
                // Nobody may repack a shared B while another thread still reads it.
                if (meets)
                    Barrier(job, parts);
            }
        }
    }

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

    private unsafe struct SplitJob<T>
        where T : unmanaged
    {
        // TallA: op(A) is packed in tall, shallow blocks (UsesTallABlocks, decided for the whole product).
        public bool TransA, TransB, Accumulate, InPlaceA, InPlaceB, TallA;
        // KcLimit: the greatest depth block (DepthLimit, decided for the whole product).
        public int KcLimit;
        public int M, N, K;
        public T* A, B, C;
        public nint Lda, Ldb, Ldc;
        // SharedPackedB: the packed B block every part reads, or part 0's alone when PrivatePackedB (each part packs
        // its own; PrivatePackedBMinRowsPerPart).
        public T* CallerScratch, SharedPackedB;
        public bool PrivatePackedB;
        public int Kc, Nc, RowsPerPart;
        public int BarrierArrived, BarrierGeneration;

        // The caller's epilogue (default for none), and the column of the whole C where this job's C starts.
        public EpilogueCall Epilogue;
        public int ColumnOffset;
    }

    // The whole product on the calling thread: the row-split loop with a single part (no barriers). `columnOffset`
    // is where this C starts in the C the epilogue sees (a column part of a split product); `tallA` is the whole
    // product's UsesTallABlocks.
    private static unsafe void MultiplyBlocked<T>(
        bool transA, bool transB, int m, int n, int k, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool accumulate,
        EpilogueCall epilogue, int columnOffset, bool tallA, int kcLimit)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = new SplitJob<T>
        {
            TransA = transA, TransB = transB, M = m, N = n, K = k, A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc,
            Accumulate = accumulate, InPlaceA = ReadsAInPlace<T>(m, n, k, transA, lda, kcLimit <= InPlaceDepth<T>(InPlaceTransposedBlockBytes, lda)), InPlaceB = ReadsBInPlace<T>(transB, m, n),
            TallA = tallA, KcLimit = kcLimit, Epilogue = epilogue, ColumnOffset = columnOffset,
        };
        AttachCallerScratch(&job, 1);
        RunRowPart<T>(0, 1, &job);
    }

    // C[mc×nc] (+)= op(A)·op(B), one tile at a time. A's row panels are `aPanelStep` elements apart and read in
    // `TLayout` with `aStep` (packed, or op(A) in place); B's panels are `panelStep` elements per column apart and
    // `bStride` per k step (packed, or op(B) in place). Each A micro-panel stays in L1 while the inner loop
    // streams the whole B block past it from L2; C is walked row panel by row panel, which the hardware
    // prefetchers follow.
    //
    // With an epilogue (after the last depth block), each row panel runs it as soon as the panel is done: MR rows ×
    // nc columns, just written, still in L1 or L2. Whole-block epilogues (128 rows × 1024 columns) left the block in
    // L2 next to the packed B and gained nothing at a batch of 2048.
    private static unsafe void MacroKernel<T, TLayout>(
        int mc, int nc, int kc, T* aPanels, nint aPanelStep, nint aStep, T* bPanels, nint panelStep, nint bStride, T* c, nint ldc, bool load, T* tile,
        EpilogueCall epilogue, int firstRow, int firstColumn)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayout : struct, IGemmALayout
    {
        int mr = GemmMicroKernels.Mr<T>();
        int nr = GemmMicroKernels.Nr<T>();
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            bool halfHeight = rows <= mr / 2;
            T* aPanel = aPanels + (ir / mr * aPanelStep);
            T* cRow = c + (ir * ldc);
            for (int jr = 0; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                bool halfWidth = cols <= nr / 2;
                T* bPanel = bPanels + (jr * panelStep);
                T* cTile = cRow + jr;

                // A tile that exactly fills a kernel shape is written in place; anything smaller is computed
                // into the scratch tile and only its part inside C copied out.
                bool inPlace = rows == (halfHeight ? mr / 2 : mr) && cols == (halfWidth ? nr / 2 : nr);
                T* dst = inPlace ? cTile : tile;
                nint ldd = inPlace ? ldc : nr;
                bool loadDst = inPlace && load;
                if (halfHeight)
                {
                    if (halfWidth)
                    {
                        GemmMicroKernels.Run<T, QuarterTile, TLayout>(kc, aPanel, aStep, bPanel, bStride, dst, ldd, loadDst);
                    }
                    else
                    {
                        GemmMicroKernels.Run<T, HalfHeightTile, TLayout>(kc, aPanel, aStep, bPanel, bStride, dst, ldd, loadDst);
                    }
                }
                else if (halfWidth)
                {
                    GemmMicroKernels.Run<T, HalfWidthTile, TLayout>(kc, aPanel, aStep, bPanel, bStride, dst, ldd, loadDst);
                }
                else
                {
                    GemmMicroKernels.Run<T, FullTile, TLayout>(kc, aPanel, aStep, bPanel, bStride, dst, ldd, loadDst);
                }

                if (!inPlace)
                {
                    for (int i = 0; i < rows; i++)
                    {
                        T* src = tile + (i * nr);
                        T* row = cTile + (i * ldc);
                        for (int j = 0; j < cols; j++)
                        {
                            row[j] = load ? row[j] + src[j] : src[j];
                        }
                    }
                }
            }

            epilogue.Run(firstRow + ir, firstRow + ir + rows, firstColumn, firstColumn + nc);
        }
    }

    // Splits `extent` into ceil(extent/max) equal blocks, each rounded up to a multiple of `multiple`.
    private static int EvenBlock(int extent, int max, int multiple)
    {
        long blocks = ((long)extent + max - 1) / max;
        long size = (extent + blocks - 1) / blocks;
        return (int)((size + multiple - 1) / multiple * multiple);
    }

    // Validates one stored operand with `rows` rows of `cols` elements at stride `ld`; returns the elements it spans.
    private static int RequiredLength(int rows, int cols, int ld, int length, string name, string ldName)
    {
        if (ld < cols)
        {
            throw new ArgumentOutOfRangeException(
                ldName, ld, $"The leading dimension must be at least the stored row length ({cols}).");
        }

        if (rows == 0 || cols == 0)
        {
            return 0;
        }

        long required = ((long)(rows - 1) * ld) + cols;
        if (length < required)
        {
            throw new ArgumentException(
                $"The span holds {length} elements but a {rows}×{cols} matrix with leading dimension {ld} " +
                $"needs {required}.",
                name);
        }

        return (int)required;
    }

    [DoesNotReturn]
    private static void ThrowNotSupported(Type type)
        => throw new NotSupportedException($"Gemm supports float and double elements, not {type}.");
}
