using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NGGen.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous, zero-padded micro-panel layout the micro-kernels read.
/// </summary>
/// <remarks>
/// A panel of width <c>w</c> (MR for A, NR for B) and depth <c>kc</c> stores element (p, x) at <c>p*w + x</c>,
/// so the kernel reads both panels strictly sequentially. Lanes past the edge of the matrix are zero, which lets
/// the kernel always compute a full tile.
/// </remarks>
internal static unsafe class GemmPacking
{
    /// <summary>Packs the <paramref name="mc"/>×<paramref name="kc"/> block of op(A) into MR-row panels.</summary>
    /// <param name="transA">Whether op(A) is Aᵀ.</param>
    /// <param name="src">Element op(A)(i0, p0) of the block's top-left corner.</param>
    /// <param name="lda">Row stride of the stored A.</param>
    /// <param name="mc">Rows of the block.</param>
    /// <param name="kc">Depth of the block.</param>
    /// <param name="dst">Destination with room for <c>ceil(mc/MR)*MR*kc</c> elements.</param>
    internal static void PackA<T>(bool transA, T* src, nint lda, int mc, int kc, T* dst)
        where T : unmanaged
    {
        int mr = GemmMicroKernels.Mr<T>();
        if (transA && mc % mr == 0)
        {
            PackRowsAcrossPanels(src, lda, mc, kc, dst, mr);
            return;
        }

        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            if (transA)
            {
                PackContiguous(src + ir, lda, rows, kc, dst, mr);
            }
            else
            {
                PackStrided(src + (ir * lda), lda, rows, kc, dst, mr);
            }

            dst += (nint)mr * kc;
        }
    }

    // Row stride of the stored A from which PackRowsAcrossPanels requests the next stretch's rows while it copies the
    // current one: rows a page or more apart each start a new page, where the hardware prefetchers stop. Paired
    // against none on the AMD EPYC VM (twenty-fourth session, medians of 20 rounds): the MLP gradient at w1024 b256
    // 0.985-0.993 (seven processes; the input cotangents Wᵀ·D pack W's 4 MiB, which earlier passes pushed out of the
    // caches), one-thread 1024³ Aᵀ·B 0.973-0.980; level where W is still cached (1024×256×1024 Aᵀ·B called
    // repeatedly 0.999-1.005, the gradient at w1024 b2048 1.000) and where nothing is packed (w1024 b32 1.004). With
    // rows of 1 KiB (256³) it cost 0.9%, so shorter rows are left to the hardware. Prefetching two stretches ahead,
    // or into L2 only, measured the same; the same requests for B's packing and for op(A) rows read in place by the
    // kernel gained nothing.
    private const int PrefetchMinRowBytes = 4096;

    // op(A) = Aᵀ whole panels, a few k steps at a time: those rows of the stored A are read front to back across every
    // panel (mc contiguous values each) and stay in L1 while each panel gets its stretch (a contiguous run of
    // RowsPerStretch·MR values). Panel by panel over the whole depth, every panel read kc rows lda apart a few dozen
    // bytes at a time, a new page per row: Wᵀ·dZ at 256×2048×256 ran at 75-77 GFLOP/s on one core against 110 for W·X.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackRowsAcrossPanels<T>(T* src, nint lda, int mc, int kc, T* dst, int mr)
        where T : unmanaged
    {
        const int RowsPerStretch = 8;
        nint panelStride = (nint)mr * kc;
        int panels = mc / mr;
        bool vector = mr * sizeof(T) == Vector256<byte>.Count && Vector256.IsHardwareAccelerated;
        bool prefetch = lda * sizeof(T) >= PrefetchMinRowBytes;
        for (int p0 = 0; p0 < kc; p0 += RowsPerStretch)
        {
            int p1 = Math.Min(p0 + RowsPerStretch, kc);
            if (prefetch)
            {
                PrefetchRows((byte*)(src + (p1 * lda)), lda * sizeof(T), Math.Min(p1 + RowsPerStretch, kc) - p1, mc * sizeof(T));
            }
            for (int panel = 0; panel < panels; panel++)
            {
                T* row = src + (p0 * lda) + (panel * mr);
                T* d = dst + (panel * panelStride) + ((nint)p0 * mr);
                for (int p = p0; p < p1; p++)
                {
                    if (vector)
                    {
                        Vector256.Store(Vector256.Load((byte*)row), (byte*)d);
                    }
                    else
                    {
                        Unsafe.CopyBlockUnaligned(d, row, (uint)(mr * sizeof(T)));
                    }

                    row += lda;
                    d += mr;
                }
            }
        }
    }

    // Requests `count` rows of `bytes` each, `stride` bytes apart, into L1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRows(byte* row, nint stride, int count, int bytes)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (int r = 0; r < count; r++)
        {
            for (int offset = 0; offset < bytes; offset += 64)
            {
                Sse.Prefetch0(row + offset);
            }

            row += stride;
        }
    }

    /// <summary>Packs the <paramref name="kc"/>×<paramref name="nc"/> block of op(B) into NR-column panels.</summary>
    /// <param name="transB">Whether op(B) is Bᵀ.</param>
    /// <param name="src">Element op(B)(p0, j0) of the block's top-left corner.</param>
    /// <param name="ldb">Row stride of the stored B.</param>
    /// <param name="kc">Depth of the block.</param>
    /// <param name="nc">Columns of the block.</param>
    /// <param name="dst">Destination with room for <c>ceil(nc/NR)*NR*kc</c> elements, 64-byte aligned.</param>
    internal static void PackB<T>(bool transB, T* src, nint ldb, int kc, int nc, T* dst)
        where T : unmanaged
    {
        int nr = GemmMicroKernels.Nr<T>();
        int start = 0;
        bool rowsAcross512 = nr * sizeof(T) == 2 * Vector512<byte>.Count && Vector512.IsHardwareAccelerated;
        bool rowsAcross256 = nr * sizeof(T) == 2 * Vector256<byte>.Count && Vector256.IsHardwareAccelerated;
        if (!transB && nc >= nr && (rowsAcross512 || rowsAcross256))
        {
            int whole = nc / nr * nr;
            PackBRowsAcrossPanels(src, ldb, whole, kc, dst);
            start = whole;
            dst += (nint)whole * kc;
        }

        for (int jr = start; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            if (transB)
            {
                PackStrided(src + (jr * ldb), ldb, cols, kc, dst, nr);
            }
            else
            {
                PackContiguous(src + jr, ldb, cols, kc, dst, nr);
            }

            dst += (nint)nr * kc;
        }
    }

    // Whole NR-column panels of a row-major op(B), a few k steps at a time across every panel: those rows of B are
    // read front to back (sequential streams the prefetchers follow) and each panel gets a contiguous stretch of
    // RowsPerStretch·NR values, like PackRowsAcrossPanels for A. Panel by panel over the whole depth, every k step of a
    // panel is a new row, a page apart at 1024 columns. Alternated against that on the Emerald Rapids VM (fourteenth
    // session): 1024×2048×1024 14.87 → 14.71 ms, 256×1024×256 on one thread 927 → 916 µs; with ShardedBatch's one-pass
    // residual, the sharded MLP gradient at w256 b2048 8.78 → 8.52 ms, w64 b2048 0.667 → 0.659, w1024 b2048 125.9 → 125.0.
    // Vector256 panels (NR = 16 floats, two ymm) too since the twentieth session: paired against PackContiguous with
    // AVX-512 off, 256×1024×256 0.987 on one thread, 1024×2048×1024 0.988 and 256×2048×256 0.988 on two.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackBRowsAcrossPanels<T>(T* src, nint ldb, int nc, int kc, T* dst)
        where T : unmanaged
    {
        const int RowsPerStretch = 8;
        int nr = GemmMicroKernels.Nr<T>();
        nint panelStride = (nint)nr * kc;
        int panels = nc / nr;
        for (int p0 = 0; p0 < kc; p0 += RowsPerStretch)
        {
            int p1 = Math.Min(p0 + RowsPerStretch, kc);
            for (int panel = 0; panel < panels; panel++)
            {
                byte* row = (byte*)(src + (p0 * ldb) + (panel * nr));
                byte* d = (byte*)(dst + (panel * panelStride) + ((nint)p0 * nr));
                for (int p = p0; p < p1; p++)
                {
                    if (nr * sizeof(T) == 2 * Vector512<byte>.Count)
                    {
                        Vector512.Store(Vector512.Load(row), d);
                        Vector512.Store(Vector512.Load(row + Vector512<byte>.Count), d + Vector512<byte>.Count);
                    }
                    else
                    {
                        Vector256.Store(Vector256.Load(row), d);
                        Vector256.Store(Vector256.Load(row + Vector256<byte>.Count), d + Vector256<byte>.Count);
                    }

                    row += ldb * sizeof(T);
                    d += nr * sizeof(T);
                }
            }
        }
    }

    // Panel element (p, x) = src[p*ld + x]: each k step is one contiguous run of `count` elements.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackContiguous<T>(T* src, nint ld, int count, int kc, T* dst, int width)
        where T : unmanaged
    {
        if (count == width)
        {
            if (Vector512.IsHardwareAccelerated && width == 2 * Vector512<T>.Count)
            {
                for (int p = 0; p < kc; p++)
                {
                    Vector512.Store(Vector512.Load(src), dst);
                    Vector512.Store(Vector512.Load(src + Vector512<T>.Count), dst + Vector512<T>.Count);
                    src += ld;
                    dst += width;
                }
            }
            else
            {
                uint bytes = (uint)(width * sizeof(T));
                for (int p = 0; p < kc; p++)
                {
                    Unsafe.CopyBlockUnaligned(dst, src, bytes);
                    src += ld;
                    dst += width;
                }
            }

            return;
        }

        int filled = FilledWidth(count, width);
        for (int p = 0; p < kc; p++)
        {
            int x = 0;
            for (; x < count; x++)
            {
                dst[x] = src[x];
            }

            for (; x < filled; x++)
            {
                dst[x] = default;
            }

            src += ld;
            dst += width;
        }
    }

    // Columns (or rows) of a partial panel, `count` of `width`, that are written: the vector kernels run a panel of at
    // most half the width as a half tile, which reads only the first half of each k step, so the rest is left as it is.
    // Padding only ever reaches tile entries that are discarded (partial tiles go through the scratch tile); it is
    // zeroed where it is read so that no NaN or subnormal garbage slows the FMAs. A 16-wide layer's weight gradient
    // (16×16×32 A·Bᵀ) spent 44% of its time zeroing the other 16 columns of its one Bᵀ panel element by element
    // (perf, twenty-third session); against a 16×32×16 A·B in the same process it went from 2.2× to 1.2× the time.
    // The scalar kernel reads all four columns whatever the tile, so it gets zeros.
    private static int FilledWidth(int count, int width)
        => count <= width / 2 && GemmMicroKernels.UseVector ? width / 2 : width;

    // Panel element (p, x) = src[x*ld + p]: a transpose. Groups of eight (float, AVX) or four source rows go through
    // register transposes; leftover rows are copied one element at a time. The panel is small enough to stay in L1 while
    // its strided columns fill in.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackStrided<T>(T* src, nint ld, int count, int kc, T* dst, int width)
        where T : unmanaged
    {
        int x = 0;
        if (typeof(T) == typeof(float) && Avx.IsSupported && width % 8 == 0)
        {
            for (; x + 8 <= count; x += 8)
            {
                Transpose8Rows((float*)(src + (x * ld)), ld, kc, (float*)(dst + x), width);
            }
        }

        bool transposable = (typeof(T) == typeof(float) && Sse.IsSupported)
            || (typeof(T) == typeof(double) && Avx.IsSupported);
        if (width % 4 == 0 && transposable)
        {
            for (; x + 4 <= count; x += 4)
            {
                T* r0 = src + (x * ld);
                T* d = dst + x;
                if (typeof(T) == typeof(float))
                {
                    Transpose4Rows((float*)r0, ld, kc, (float*)d, width);
                }
                else
                {
                    Transpose4Rows((double*)r0, ld, kc, (double*)d, width);
                }
            }
        }

        for (; x < count; x++)
        {
            T* row = src + (x * ld);
            T* d = dst + x;
            for (int p = 0; p < kc; p++)
            {
                *d = row[p];
                d += width;
            }
        }

        int filled = FilledWidth(count, width);
        if (x < filled)
        {
            for (int p = 0; p < kc; p++)
            {
                new Span<T>(dst + (p * width) + x, filled - x).Clear();
            }
        }
    }

    // dst[p*width + i] = row_i[p] for the eight rows r0 + i·ld, through 8×8 register transposes. The 4×4 SSE
    // transposes alone made packing Bᵀ cost as much as the product it fed: a 64-wide layer's weight gradient
    // (64×64×2048, A·Bᵀ) ran at 69-75 GFLOP/s on one core against 129 for A·B.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8Rows(float* r0, nint ld, int kc, float* dst, int width)
    {
        float* r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld, r6 = r5 + ld, r7 = r6 + ld;
        nint w = width;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            // After the unpacks and shuffles, s_j holds column j (low lane) and column j+4 (high lane) of rows 0-3
            // (s0-s3) or rows 4-7 (s4-s7); the lane permutes put rows 0-7 of one column in one vector.
            Vector256<float> a0 = Avx.LoadVector256(r0 + p), a1 = Avx.LoadVector256(r1 + p);
            Vector256<float> a2 = Avx.LoadVector256(r2 + p), a3 = Avx.LoadVector256(r3 + p);
            Vector256<float> a4 = Avx.LoadVector256(r4 + p), a5 = Avx.LoadVector256(r5 + p);
            Vector256<float> a6 = Avx.LoadVector256(r6 + p), a7 = Avx.LoadVector256(r7 + p);
            Vector256<float> t0 = Avx.UnpackLow(a0, a1), t1 = Avx.UnpackHigh(a0, a1);
            Vector256<float> t2 = Avx.UnpackLow(a2, a3), t3 = Avx.UnpackHigh(a2, a3);
            Vector256<float> t4 = Avx.UnpackLow(a4, a5), t5 = Avx.UnpackHigh(a4, a5);
            Vector256<float> t6 = Avx.UnpackLow(a6, a7), t7 = Avx.UnpackHigh(a6, a7);
            Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
            float* o = dst + (p * w);
            Avx.Store(o, Avx.Permute2x128(s0, s4, 0x20));
            Avx.Store(o + w, Avx.Permute2x128(s1, s5, 0x20));
            Avx.Store(o + (2 * w), Avx.Permute2x128(s2, s6, 0x20));
            Avx.Store(o + (3 * w), Avx.Permute2x128(s3, s7, 0x20));
            Avx.Store(o + (4 * w), Avx.Permute2x128(s0, s4, 0x31));
            Avx.Store(o + (5 * w), Avx.Permute2x128(s1, s5, 0x31));
            Avx.Store(o + (6 * w), Avx.Permute2x128(s2, s6, 0x31));
            Avx.Store(o + (7 * w), Avx.Permute2x128(s3, s7, 0x31));
        }

        for (; p < kc; p++)
        {
            float* o = dst + (p * w);
            o[0] = r0[p];
            o[1] = r1[p];
            o[2] = r2[p];
            o[3] = r3[p];
            o[4] = r4[p];
            o[5] = r5[p];
            o[6] = r6[p];
            o[7] = r7[p];
        }
    }

    // dst[p*width + i] = row_i[p] for the four rows at r0, r0+ld, r0+2ld, r0+3ld.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4Rows(float* r0, nint ld, int kc, float* dst, int width)
    {
        float* r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
        nint w = width;
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            Vector128<float> a = Sse.LoadVector128(r0 + p);
            Vector128<float> b = Sse.LoadVector128(r1 + p);
            Vector128<float> c = Sse.LoadVector128(r2 + p);
            Vector128<float> d = Sse.LoadVector128(r3 + p);
            Vector128<float> ab0 = Sse.UnpackLow(a, b);
            Vector128<float> ab1 = Sse.UnpackHigh(a, b);
            Vector128<float> cd0 = Sse.UnpackLow(c, d);
            Vector128<float> cd1 = Sse.UnpackHigh(c, d);
            float* o = dst + (p * w);
            Sse.Store(o, Sse.MoveLowToHigh(ab0, cd0));
            Sse.Store(o + w, Sse.MoveHighToLow(cd0, ab0));
            Sse.Store(o + (2 * w), Sse.MoveLowToHigh(ab1, cd1));
            Sse.Store(o + (3 * w), Sse.MoveHighToLow(cd1, ab1));
        }

        for (; p < kc; p++)
        {
            float* o = dst + (p * w);
            o[0] = r0[p];
            o[1] = r1[p];
            o[2] = r2[p];
            o[3] = r3[p];
        }
    }

    // dst[p*width + i] = row_i[p] for the four rows at r0, r0+ld, r0+2ld, r0+3ld.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4Rows(double* r0, nint ld, int kc, double* dst, int width)
    {
        double* r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
        nint w = width;
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            Vector256<double> a = Avx.LoadVector256(r0 + p);
            Vector256<double> b = Avx.LoadVector256(r1 + p);
            Vector256<double> c = Avx.LoadVector256(r2 + p);
            Vector256<double> d = Avx.LoadVector256(r3 + p);
            Vector256<double> ab0 = Avx.UnpackLow(a, b);
            Vector256<double> ab1 = Avx.UnpackHigh(a, b);
            Vector256<double> cd0 = Avx.UnpackLow(c, d);
            Vector256<double> cd1 = Avx.UnpackHigh(c, d);
            double* o = dst + (p * w);
            Avx.Store(o, Avx.Permute2x128(ab0, cd0, 0x20));
            Avx.Store(o + w, Avx.Permute2x128(ab1, cd1, 0x20));
            Avx.Store(o + (2 * w), Avx.Permute2x128(ab0, cd0, 0x31));
            Avx.Store(o + (3 * w), Avx.Permute2x128(ab1, cd1, 0x31));
        }

        for (; p < kc; p++)
        {
            double* o = dst + (p * w);
            o[0] = r0[p];
            o[1] = r1[p];
            o[2] = r2[p];
            o[3] = r3[p];
        }
    }
}
