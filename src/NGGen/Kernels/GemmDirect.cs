using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary>
/// Unpacked GEMM for shapes where packing costs more than it saves: very few rows of C (matrix-vector-like
/// products), very few columns, or tiny problems.
/// </summary>
/// <remarks>
/// Rows of C are computed either as dot products of an op(A) row with op(B) columns, when those columns are
/// contiguous (transposed B) or few enough to gather, or as a sum of scaled op(B) rows, which streams B row by row.
/// </remarks>
internal static unsafe class GemmDirect
{
    /// <summary>
    /// Computes C (=|+=) op(A)·op(B) row by row; same contract as <see cref="Gemm.Multiply{T}"/>. With
    /// <c>gatherColumns</c>, the columns of an untransposed op(B) are first copied into contiguous scratch so the
    /// dot-product form applies (worthwhile only for a few columns).
    /// </summary>
    internal static void Multiply<T>(
        bool transA,
        bool transB,
        int m,
        int n,
        int k,
        T* a,
        nint lda,
        T* b,
        nint ldb,
        T* c,
        nint ldc,
        bool accumulate,
        bool gatherColumns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        gatherColumns &= !transB;
        bool dotForm = transB || gatherColumns;

        // Transposed A rows (and gathered B columns) are copied once so the inner loops see unit stride.
        nint rowLength = transA ? GemmScratch<T>.AlignLength(k) : 0;
        T* scratch = transA || gatherColumns ? GemmScratch<T>.Get(rowLength + (gatherColumns ? (nint)n * k : 0)) : null;
        T* rowBuffer = scratch;
        T* columns = scratch + rowLength;
        if (gatherColumns)
        {
            for (int p = 0; p < k; p++)
            {
                T* src = b + (p * ldb);
                for (int j = 0; j < n; j++)
                {
                    columns[((nint)j * k) + p] = src[j];
                }
            }
        }

        T* bColumns = gatherColumns ? columns : b;
        nint columnStride = gatherColumns ? k : ldb;
        for (int i = 0; i < m; i++)
        {
            T* aRow;
            if (transA)
            {
                T* src = a + i;
                for (int p = 0; p < k; p++)
                {
                    rowBuffer[p] = *src;
                    src += lda;
                }

                aRow = rowBuffer;
            }
            else
            {
                aRow = a + (i * lda);
            }

            T* cRow = c + (i * ldc);
            if (dotForm)
            {
                var x = new ReadOnlySpan<T>(aRow, k);
                for (int j = 0; j < n; j++)
                {
                    T dot = TensorPrimitives.Dot(x, new ReadOnlySpan<T>(bColumns + (j * columnStride), k));
                    cRow[j] = accumulate ? cRow[j] + dot : dot;
                }
            }
            else
            {
                if (!accumulate)
                {
                    new Span<T>(cRow, n).Clear();
                }

                AccumulateRow(aRow, b, ldb, k, cRow, n);
            }
        }
    }

    // cRow[j] += Σp aRow[p]·b[p*ldb + j], four rows of B per pass so C is loaded and stored a quarter as often.
    private static void AccumulateRow<T>(T* aRow, T* b, nint ldb, int k, T* cRow, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = 0;
        for (; p + 4 <= k; p += 4)
        {
            T* b0 = b + (p * ldb);
            Axpy4(cRow, n, aRow[p], b0, aRow[p + 1], b0 + ldb, aRow[p + 2], b0 + (2 * ldb), aRow[p + 3], b0 + (3 * ldb));
        }

        for (; p < k; p++)
        {
            var row = new Span<T>(cRow, n);
            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(b + (p * ldb), n), aRow[p], row, row);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy4<T>(T* c, int n, T s0, T* b0, T s1, T* b1, T s2, T* b2, T s3, T* b3)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<T> v0 = Vector512.Create(s0), v1 = Vector512.Create(s1);
            Vector512<T> v2 = Vector512.Create(s2), v3 = Vector512.Create(s3);
            for (; j + Vector512<T>.Count <= n; j += Vector512<T>.Count)
            {
                Vector512<T> acc = Vector512.Load(c + j);
                acc += v0 * Vector512.Load(b0 + j);
                acc += v1 * Vector512.Load(b1 + j);
                acc += v2 * Vector512.Load(b2 + j);
                acc += v3 * Vector512.Load(b3 + j);
                acc.Store(c + j);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<T> v0 = Vector256.Create(s0), v1 = Vector256.Create(s1);
            Vector256<T> v2 = Vector256.Create(s2), v3 = Vector256.Create(s3);
            for (; j + Vector256<T>.Count <= n; j += Vector256<T>.Count)
            {
                Vector256<T> acc = Vector256.Load(c + j);
                acc += v0 * Vector256.Load(b0 + j);
                acc += v1 * Vector256.Load(b1 + j);
                acc += v2 * Vector256.Load(b2 + j);
                acc += v3 * Vector256.Load(b3 + j);
                acc.Store(c + j);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<T> v0 = Vector128.Create(s0), v1 = Vector128.Create(s1);
            Vector128<T> v2 = Vector128.Create(s2), v3 = Vector128.Create(s3);
            for (; j + Vector128<T>.Count <= n; j += Vector128<T>.Count)
            {
                Vector128<T> acc = Vector128.Load(c + j);
                acc += v0 * Vector128.Load(b0 + j);
                acc += v1 * Vector128.Load(b1 + j);
                acc += v2 * Vector128.Load(b2 + j);
                acc += v3 * Vector128.Load(b3 + j);
                acc.Store(c + j);
            }
        }

        for (; j < n; j++)
        {
            c[j] += (s0 * b0[j]) + (s1 * b1[j]) + (s2 * b2[j]) + (s3 * b3[j]);
        }
    }
}
