
namespace NGGen.Kernels;

// The blocking of packed products (depth blocks, packed B columns, A row blocks) and which operands are read in
// place instead of packed.
public static partial class Gemm
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

    // Splits `extent` into ceil(extent/max) equal blocks, each rounded up to a multiple of `multiple`.
    private static int EvenBlock(int extent, int max, int multiple)
    {
        long blocks = ((long)extent + max - 1) / max;
        long size = (extent + blocks - 1) / blocks;
        return (int)((size + multiple - 1) / multiple * multiple);
    }
}
