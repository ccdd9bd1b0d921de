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
/// <para>This file holds the entry points and the small-product paths; <c>Gemm.Blocking.cs</c> the block sizes and
/// in-place rules, <c>Gemm.Split.cs</c> how a product is shared between threads, <c>Gemm.Blocked.cs</c> the blocked
/// loops.</para>
/// </remarks>
public static partial class Gemm
{
    // Work (m·n·k) up to which packing costs more than the micro-kernel saves.
    private const long DirectMaxWork = 8 * 8 * 8;

    // Columns of C up to which gathering op(B) into dot-product form beats packing.
    private const int DirectMaxColumns = 4;

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
