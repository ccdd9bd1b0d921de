using System.Numerics;

namespace NGGen.Kernels;

// The blocked loops: one part's depth and row blocks (RunRowPart), the whole product on one thread, the macro-kernel
// over tiles, and the scratch they run in.
public static partial class Gemm
{
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
}
