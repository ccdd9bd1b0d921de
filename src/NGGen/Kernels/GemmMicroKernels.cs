using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NGGen.Kernels;

/// <summary>
/// Register-blocked GEMM micro-kernels. Each computes one tile of C from a packed A micro-panel (MR values per
/// k step) and a packed B micro-panel (NR values per k step).
/// </summary>
/// <remarks>
/// The vector width is chosen once per process: Vector512 where accelerated, else Vector256 with FMA, else Vector128
/// with FMA (ARM64's AdvSimd, or x86 held to 128 bits), else scalar.
/// All size queries are JIT-time constants, so the generic callers specialise to one kernel per element type and
/// <see cref="IGemmTileShape"/>; the reduced shapes cover the right and bottom edges of C without multiplying the
/// zero padding of a full tile.
/// </remarks>
internal static unsafe class GemmMicroKernels
{
    /// <summary>Rows per register tile on the Vector512 path (16 zmm accumulators).</summary>
    /// <remarks>
    /// Eight rows keep power-of-two sizes free of edge tiles; 16 independent FMA chains still cover the
    /// 4-cycle FMA latency on both FMA ports. A 12-row tile (24 accumulators) was tried: with packed B streaming
    /// from L2 the kernel is load-bound, and 12 rows ran at 92 GFLOP/s against 86-88 for 8, about 6-10% more on
    /// large GEMMs; but widths 16 and 64 then need 4-row edge tiles and the row-split threshold (4·MR rows per
    /// thread) sent 64-row products to the column split, and the MLP gradient at w64 b2048 took 1.5-2× longer. A
    /// per-product choice of tile height would get both.
    /// </remarks>
    internal const int Mr512 = 8;

    /// <summary>Rows per register tile on the Vector256 path (12 ymm accumulators of 16 architectural registers).</summary>
    internal const int Mr256 = 6;

    /// <summary>Rows per register tile on the Vector128 path (12 accumulators, as on the Vector256 path).</summary>
    internal const int Mr128 = 6;

    /// <summary>Rows per register tile on the scalar path.</summary>
    internal const int MrScalar = 4;

    /// <summary>Columns per register tile on the scalar path.</summary>
    internal const int NrScalar = 4;

    /// <summary>Gets whether the Vector512 kernels are used.</summary>
    internal static bool Use512
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated;
    }

    /// <summary>Gets whether the Vector256 kernels are used.</summary>
    internal static bool Use256
    {
        // Without hardware FMA, Vector256.FusedMultiplyAdd is emulated in software and far slower than scalar code.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated && Fma.IsSupported;
    }

    /// <summary>Gets whether the Vector128 kernels are used: ARM64, whose vectors are 128 bits, and x86 where wider
    /// vectors are switched off. Before they existed an ARM board ran the scalar kernel.</summary>
    internal static bool Use128
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !Use512 && !Use256 && Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.Arm64.IsSupported);
    }

    /// <summary>Gets whether a vector kernel is used (any but the scalar one, which cannot read A's rows in place).</summary>
    internal static bool UseVector
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Use512 || Use256 || Use128;
    }

    /// <summary>Rows of a full C tile (MR) for element type <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Mr<T>()
        where T : unmanaged
        => Use512 ? Mr512 : Use256 ? Mr256 : Use128 ? Mr128 : MrScalar;

    /// <summary>Columns of a full C tile (NR, two vectors) for element type <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Nr<T>()
        where T : unmanaged
        => Use512 ? 2 * Vector512<T>.Count : Use256 ? 2 * Vector256<T>.Count : Use128 ? 2 * Vector128<T>.Count : NrScalar;

    /// <summary>
    /// Computes <c>C = Ap·Bp</c> (<paramref name="load"/> false) or <c>C += Ap·Bp</c> (true) for one tile of
    /// shape <typeparamref name="TShape"/>.
    /// </summary>
    /// <param name="kc">Depth of the packed panels.</param>
    /// <param name="a">A micro-panel in layout <typeparamref name="TLayout"/>: <c>kc</c> groups of MR values, or MR rows.</param>
    /// <param name="aStep">Elements from one k step's A values to the next (MR packed, lda for op(A) = Aᵀ in place), or
    /// from one row to the next for <see cref="RowsOfA"/>. The scalar kernel never reads A in place.</param>
    /// <param name="b">B micro-panel: <c>kc</c> groups of NR values, <paramref name="bStride"/> apart.</param>
    /// <param name="bStride">Elements from one k step's B values to the next: NR for a packed panel, the row stride
    /// for op(B) read in place.</param>
    /// <param name="c">Top-left element of the C tile.</param>
    /// <param name="ldc">Row stride of C in elements.</param>
    /// <param name="load">Whether to add to the existing contents of C.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Run<T, TShape, TLayout>(nint kc, T* a, nint aStep, T* b, nint bStride, T* c, nint ldc, bool load)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TShape : struct, IGemmTileShape
        where TLayout : struct, IGemmALayout
    {
        Debug.Assert(UseVector || !TLayout.Rows, "The scalar kernel does not read A's rows in place.");
        if (Use512)
        {
            Kernel512<T, TShape, TLayout>(kc, a, aStep, b, bStride, c, ldc, load);
        }
        else if (Use256)
        {
            Kernel256<T, TShape, TLayout>(kc, a, aStep, b, bStride, c, ldc, load);
        }
        else if (Use128)
        {
            Kernel128<T, TShape, TLayout>(kc, a, aStep, b, bStride, c, ldc, load);
        }
        else
        {
            KernelScalar<T, TShape>(kc, a, aStep, b, bStride, c, ldc, load);
        }
    }

    // The value at p[i] in every lane, read by the broadcast itself (vbroadcastss zmm, m32: a load-port µop). The
    // generic Vector512.Create(a[i]) compiled to a scalar load and a register broadcast, a shuffle on port 5, which
    // on Intel cores is also one of the two 512-bit FMA ports: 8 shuffles per 16 FMAs cost the 8×32 kernel about a
    // quarter of its speed in L1 (75 against 100 GFLOP/s, one core).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Broadcast512<T>(T* p, nint i)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.Create(((float*)p)[i]).As<float, T>();
        }

        return Vector512.Create(((double*)p)[i]).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MultiplyAdd<T>(Vector512<T> x, Vector512<T> y, Vector512<T> z)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        }

        return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
    }

    // As Broadcast512: vbroadcastss ymm, m32 is a load µop, where a scalar load and a register broadcast take a shuffle too.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Broadcast256<T>(T* p, nint i)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.Create(((float*)p)[i]).As<float, T>();
        }

        return Vector256.Create(((double*)p)[i]).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MultiplyAdd<T>(Vector256<T> x, Vector256<T> y, Vector256<T> z)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        }

        return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
    }

    // As Broadcast256. On ARM64 this compiles to a load and a `dup` (DOTNET_JitDisasm under qemu), which takes an
    // ASIMD slot beside the FMAs; lane-indexed FMAs (fmla v.4s, v.4s, v.s[i]) on A values loaded as a vector would not,
    // but their gain can only be measured on an ARM machine.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Broadcast128<T>(T* p, nint i)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector128.Create(((float*)p)[i]).As<float, T>();
        }

        return Vector128.Create(((double*)p)[i]).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> MultiplyAdd<T>(Vector128<T> x, Vector128<T> y, Vector128<T> z)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector128.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        }

        return Vector128.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
    }

    // The C tile is touched only after the k loop; requesting its lines first hides their miss latency behind it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile<T>(T* c, nint ldc, int rows, int rowBytes)
        where T : unmanaged
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        byte* row = (byte*)c;
        nint stride = ldc * sizeof(T);
        for (int i = 0; i < rows; i++)
        {
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + rowBytes - 1);
            row += stride;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow512<T>(T* c, Vector512<T> lo, Vector512<T> hi, bool twoColumns, bool load)
        where T : unmanaged
    {
        if (load)
        {
            lo += Vector512.Load(c);
        }

        lo.Store(c);
        if (twoColumns)
        {
            T* c1 = c + Vector512<T>.Count;
            if (load)
            {
                hi += Vector512.Load(c1);
            }

            hi.Store(c1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow256<T>(T* c, Vector256<T> lo, Vector256<T> hi, bool twoColumns, bool load)
        where T : unmanaged
    {
        if (load)
        {
            lo += Vector256.Load(c);
        }

        lo.Store(c);
        if (twoColumns)
        {
            T* c1 = c + Vector256<T>.Count;
            if (load)
            {
                hi += Vector256.Load(c1);
            }

            hi.Store(c1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow128<T>(T* c, Vector128<T> lo, Vector128<T> hi, bool twoColumns, bool load)
        where T : unmanaged
    {
        if (load)
        {
            lo += Vector128.Load(c);
        }

        lo.Store(c);
        if (twoColumns)
        {
            T* c1 = c + Vector128<T>.Count;
            if (load)
            {
                hi += Vector128.Load(c1);
            }

            hi.Store(c1);
        }
    }

    // Up to eight rows × two zmm columns: 16 accumulators, 2 B vectors and 1 broadcast of the 32 zmm registers.
    // For RowsOfA, row r is a + r·aStep and its k-th value ar[p]: one base register per row and the loop counter as
    // index, so the loop adds no address arithmetic.
    private static void Kernel512<T, TShape, TLayout>(nint kc, T* a, nint aStep, T* b, nint bStride, T* c, nint ldc, bool load)
        where T : unmanaged
        where TShape : struct, IGemmTileShape
        where TLayout : struct, IGemmALayout
    {
        bool rows = TLayout.Rows;
        T* a1 = a + aStep, a2 = a + (2 * aStep), a3 = a + (3 * aStep);
        T* a4 = a + (4 * aStep), a5 = a + (5 * aStep), a6 = a + (6 * aStep), a7 = a + (7 * aStep);
        bool fullHeight = !TShape.HalfHeight;
        bool twoColumns = !TShape.HalfWidth;
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        PrefetchTile(c, ldc, fullHeight ? Mr512 : Mr512 / 2, (twoColumns ? 2 : 1) * w * sizeof(T));

        for (nint p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = twoColumns ? Vector512.Load(b + w) : default;
            Vector512<T> x;
            x = rows ? Broadcast512(a, p) : Broadcast512(a, 0);
            c00 = MultiplyAdd(x, b0, c00);
            if (twoColumns)
            {
                c01 = MultiplyAdd(x, b1, c01);
            }

            x = rows ? Broadcast512(a1, p) : Broadcast512(a, 1);
            c10 = MultiplyAdd(x, b0, c10);
            if (twoColumns)
            {
                c11 = MultiplyAdd(x, b1, c11);
            }

            x = rows ? Broadcast512(a2, p) : Broadcast512(a, 2);
            c20 = MultiplyAdd(x, b0, c20);
            if (twoColumns)
            {
                c21 = MultiplyAdd(x, b1, c21);
            }

            x = rows ? Broadcast512(a3, p) : Broadcast512(a, 3);
            c30 = MultiplyAdd(x, b0, c30);
            if (twoColumns)
            {
                c31 = MultiplyAdd(x, b1, c31);
            }

            if (fullHeight)
            {
                x = rows ? Broadcast512(a4, p) : Broadcast512(a, 4);
                c40 = MultiplyAdd(x, b0, c40);
                if (twoColumns)
                {
                    c41 = MultiplyAdd(x, b1, c41);
                }

                x = rows ? Broadcast512(a5, p) : Broadcast512(a, 5);
                c50 = MultiplyAdd(x, b0, c50);
                if (twoColumns)
                {
                    c51 = MultiplyAdd(x, b1, c51);
                }

                x = rows ? Broadcast512(a6, p) : Broadcast512(a, 6);
                c60 = MultiplyAdd(x, b0, c60);
                if (twoColumns)
                {
                    c61 = MultiplyAdd(x, b1, c61);
                }

                x = rows ? Broadcast512(a7, p) : Broadcast512(a, 7);
                c70 = MultiplyAdd(x, b0, c70);
                if (twoColumns)
                {
                    c71 = MultiplyAdd(x, b1, c71);
                }
            }

            if (!rows)
            {
                a += aStep;
            }

            b += bStride;
        }

        StoreRow512(c, c00, c01, twoColumns, load);
        StoreRow512(c + ldc, c10, c11, twoColumns, load);
        StoreRow512(c + (2 * ldc), c20, c21, twoColumns, load);
        StoreRow512(c + (3 * ldc), c30, c31, twoColumns, load);
        if (fullHeight)
        {
            StoreRow512(c + (4 * ldc), c40, c41, twoColumns, load);
            StoreRow512(c + (5 * ldc), c50, c51, twoColumns, load);
            StoreRow512(c + (6 * ldc), c60, c61, twoColumns, load);
            StoreRow512(c + (7 * ldc), c70, c71, twoColumns, load);
        }
    }

    // Up to six rows × two ymm columns: 12 accumulators, 2 B vectors and 1 broadcast of the 16 ymm registers. A is
    // read as in Kernel512: k steps aStep apart, or (RowsOfA) row r at a + r·aStep.
    private static void Kernel256<T, TShape, TLayout>(nint kc, T* a, nint aStep, T* b, nint bStride, T* c, nint ldc, bool load)
        where T : unmanaged
        where TShape : struct, IGemmTileShape
        where TLayout : struct, IGemmALayout
    {
        bool rows = TLayout.Rows;
        T* a1 = a + aStep, a2 = a + (2 * aStep), a3 = a + (3 * aStep), a4 = a + (4 * aStep), a5 = a + (5 * aStep);
        bool fullHeight = !TShape.HalfHeight;
        bool twoColumns = !TShape.HalfWidth;
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default, c50 = default, c51 = default;
        PrefetchTile(c, ldc, fullHeight ? Mr256 : Mr256 / 2, (twoColumns ? 2 : 1) * w * sizeof(T));

        for (nint p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.Load(b);
            Vector256<T> b1 = twoColumns ? Vector256.Load(b + w) : default;
            Vector256<T> x;
            x = rows ? Broadcast256(a, p) : Broadcast256(a, 0);
            c00 = MultiplyAdd(x, b0, c00);
            if (twoColumns)
            {
                c01 = MultiplyAdd(x, b1, c01);
            }

            x = rows ? Broadcast256(a1, p) : Broadcast256(a, 1);
            c10 = MultiplyAdd(x, b0, c10);
            if (twoColumns)
            {
                c11 = MultiplyAdd(x, b1, c11);
            }

            x = rows ? Broadcast256(a2, p) : Broadcast256(a, 2);
            c20 = MultiplyAdd(x, b0, c20);
            if (twoColumns)
            {
                c21 = MultiplyAdd(x, b1, c21);
            }

            if (fullHeight)
            {
                x = rows ? Broadcast256(a3, p) : Broadcast256(a, 3);
                c30 = MultiplyAdd(x, b0, c30);
                if (twoColumns)
                {
                    c31 = MultiplyAdd(x, b1, c31);
                }

                x = rows ? Broadcast256(a4, p) : Broadcast256(a, 4);
                c40 = MultiplyAdd(x, b0, c40);
                if (twoColumns)
                {
                    c41 = MultiplyAdd(x, b1, c41);
                }

                x = rows ? Broadcast256(a5, p) : Broadcast256(a, 5);
                c50 = MultiplyAdd(x, b0, c50);
                if (twoColumns)
                {
                    c51 = MultiplyAdd(x, b1, c51);
                }
            }

            if (!rows)
            {
                a += aStep;
            }

            b += bStride;
        }

        StoreRow256(c, c00, c01, twoColumns, load);
        StoreRow256(c + ldc, c10, c11, twoColumns, load);
        StoreRow256(c + (2 * ldc), c20, c21, twoColumns, load);
        if (fullHeight)
        {
            StoreRow256(c + (3 * ldc), c30, c31, twoColumns, load);
            StoreRow256(c + (4 * ldc), c40, c41, twoColumns, load);
            StoreRow256(c + (5 * ldc), c50, c51, twoColumns, load);
        }
    }

    // Kernel256 on 128-bit vectors, for ARM64 (AdvSimd: NativeAOT builds for edge boards) and x86 limited to 128 bits
    // (DOTNET_PreferredVectorBitWidth=128, which is how CI tests it): up to six rows × two vectors, 12 accumulators, 2 B
    // vectors and 1 broadcast, which fit the 16 xmm registers of x86 as well as AdvSimd's 32. A is read as in Kernel512.
    private static void Kernel128<T, TShape, TLayout>(nint kc, T* a, nint aStep, T* b, nint bStride, T* c, nint ldc, bool load)
        where T : unmanaged
        where TShape : struct, IGemmTileShape
        where TLayout : struct, IGemmALayout
    {
        bool rows = TLayout.Rows;
        T* a1 = a + aStep, a2 = a + (2 * aStep), a3 = a + (3 * aStep), a4 = a + (4 * aStep), a5 = a + (5 * aStep);
        bool fullHeight = !TShape.HalfHeight;
        bool twoColumns = !TShape.HalfWidth;
        int w = Vector128<T>.Count;
        Vector128<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector128<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector128<T> c40 = default, c41 = default, c50 = default, c51 = default;
        PrefetchTile(c, ldc, fullHeight ? Mr128 : Mr128 / 2, (twoColumns ? 2 : 1) * w * sizeof(T));

        for (nint p = 0; p < kc; p++)
        {
            Vector128<T> b0 = Vector128.Load(b);
            Vector128<T> b1 = twoColumns ? Vector128.Load(b + w) : default;
            Vector128<T> x;
            x = rows ? Broadcast128(a, p) : Broadcast128(a, 0);
            c00 = MultiplyAdd(x, b0, c00);
            if (twoColumns)
            {
                c01 = MultiplyAdd(x, b1, c01);
            }

            x = rows ? Broadcast128(a1, p) : Broadcast128(a, 1);
            c10 = MultiplyAdd(x, b0, c10);
            if (twoColumns)
            {
                c11 = MultiplyAdd(x, b1, c11);
            }

            x = rows ? Broadcast128(a2, p) : Broadcast128(a, 2);
            c20 = MultiplyAdd(x, b0, c20);
            if (twoColumns)
            {
                c21 = MultiplyAdd(x, b1, c21);
            }

            if (fullHeight)
            {
                x = rows ? Broadcast128(a3, p) : Broadcast128(a, 3);
                c30 = MultiplyAdd(x, b0, c30);
                if (twoColumns)
                {
                    c31 = MultiplyAdd(x, b1, c31);
                }

                x = rows ? Broadcast128(a4, p) : Broadcast128(a, 4);
                c40 = MultiplyAdd(x, b0, c40);
                if (twoColumns)
                {
                    c41 = MultiplyAdd(x, b1, c41);
                }

                x = rows ? Broadcast128(a5, p) : Broadcast128(a, 5);
                c50 = MultiplyAdd(x, b0, c50);
                if (twoColumns)
                {
                    c51 = MultiplyAdd(x, b1, c51);
                }
            }

            if (!rows)
            {
                a += aStep;
            }

            b += bStride;
        }

        StoreRow128(c, c00, c01, twoColumns, load);
        StoreRow128(c + ldc, c10, c11, twoColumns, load);
        StoreRow128(c + (2 * ldc), c20, c21, twoColumns, load);
        if (fullHeight)
        {
            StoreRow128(c + (3 * ldc), c30, c31, twoColumns, load);
            StoreRow128(c + (4 * ldc), c40, c41, twoColumns, load);
            StoreRow128(c + (5 * ldc), c50, c51, twoColumns, load);
        }
    }

    // Plain multiply-add rather than T.FusedMultiplyAdd: without hardware FMA the fused form is a slow software call.
    private static void KernelScalar<T, TShape>(nint kc, T* a, nint aStep, T* b, nint bStride, T* c, nint ldc, bool load)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TShape : struct, IGemmTileShape
    {
        int rows = TShape.HalfHeight ? MrScalar / 2 : MrScalar;
        int columns = TShape.HalfWidth ? NrScalar / 2 : NrScalar;
        T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero;
        T c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero;
        T c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
        for (nint p = 0; p < kc; p++)
        {
            T b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            T x = a[0];
            c00 += x * b0;
            c01 += x * b1;
            c02 += x * b2;
            c03 += x * b3;
            x = a[1];
            c10 += x * b0;
            c11 += x * b1;
            c12 += x * b2;
            c13 += x * b3;
            x = a[2];
            c20 += x * b0;
            c21 += x * b1;
            c22 += x * b2;
            c23 += x * b3;
            x = a[3];
            c30 += x * b0;
            c31 += x * b1;
            c32 += x * b2;
            c33 += x * b3;
            a += aStep;
            b += bStride;
        }

        StoreRowScalar(c, c00, c01, c02, c03, columns, load);
        StoreRowScalar(c + ldc, c10, c11, c12, c13, columns, load);
        if (rows > 2)
        {
            StoreRowScalar(c + (2 * ldc), c20, c21, c22, c23, columns, load);
            StoreRowScalar(c + (3 * ldc), c30, c31, c32, c33, columns, load);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowScalar<T>(T* c, T v0, T v1, T v2, T v3, int columns, bool load)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (load)
        {
            v0 += c[0];
            v1 += c[1];
            v2 += c[2];
            v3 += c[3];
        }

        c[0] = v0;
        c[1] = v1;
        if (columns > 2)
        {
            c[2] = v2;
            c[3] = v3;
        }
    }
}
