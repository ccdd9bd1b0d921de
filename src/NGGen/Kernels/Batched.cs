using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NGGen.Kernels;

/// <summary>
/// Loop drivers the generated code calls for non-elementwise IR ops. Layout: a batched value of n
/// entries is n rows of <c>batch</c> contiguous samples (entry e of sample s at e·batch + s); an
/// unbatched value (parameters, constants) is its n entries. Matrices are row-major entries.
/// </summary>
public static partial class Batched
{
    /// <summary>C (+)= op(A)·op(B) per sample, where each operand is batched or shared by all samples,
    /// and an unbatched C with batched operands receives the sum over samples. Shapes are per-sample
    /// 2D views (vectors are columns); <paramref name="aCols"/>/<paramref name="bCols"/> are the stored
    /// column counts. Dispatches the GEMM-shaped cases to <see cref="Gemm"/>.</summary>
    public static void MatMul<T>(ReadOnlySpan<T> a, bool aBatched, int aCols, bool transposeA,
        ReadOnlySpan<T> b, bool bBatched, int bCols, bool transposeB,
        Span<T> c, bool cBatched, int m, int n, int k, int batch, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!aBatched && !bBatched && !cBatched)
        {
            Gemm.Multiply(transposeA, transposeB, m, n, k, a, aCols, b, bCols, c, n, accumulate);
            return;
        }
        if (!aBatched && bBatched && cBatched && !transposeB)
        {
            // Per-sample B (k×n) stored as k rows of n·batch: one GEMM over all samples.
            Gemm.Multiply(transposeA, false, m, n * batch, k, a, aCols, b, n * batch, c, n * batch, accumulate);
            return;
        }
        if (aBatched && bBatched && !cBatched && !transposeA && transposeB)
        {
            // Σ_s A_s·B_sᵀ: contract over (inner index, sample) with both stored as rows of k·batch.
            Gemm.Multiply(false, true, m, n, k * batch, a, k * batch, b, k * batch, c, n, accumulate);
            return;
        }
        GeneralMatMul(a, aBatched, aCols, transposeA, b, bBatched, bCols, transposeB, c, cBatched, m, n, k, batch, accumulate);
    }

    // Rows of C from which a fused loop runs inside the product. Measured on the MLP (forward, JVP, gradient), in one
    // process against the separate pass: 1.04-1.14× faster at 256 rows and batches 32-256, level at 1024 rows and at
    // batch 2048, and 0.93-1.00× at 16 and 64 rows, where a row panel's loop (8 rows, often short) costs calls and
    // saves little. Identical code measured 0.94-1.08× in the same runs, so below 128 rows nothing was gained.
    private const int EpilogueMinRows = 128;

    /// <summary>
    /// <see cref="MatMul{T}"/>, then <paramref name="loop"/>: a generated fused loop that reads C only element by
    /// element. For a layer (a shared matrix times a batched vector) with enough rows, the loop runs inside the GEMM on
    /// each finished block of C while it is in cache (<see cref="IGemmEpilogue"/>: rows are C's entries, columns its
    /// samples). Otherwise, or when the product is too small to split across threads but the loop is not, it runs
    /// after the product as <see cref="FusedLoops.Run{TBody}"/> would run it, over <paramref name="loopRows"/> rows and
    /// <paramref name="loopElements"/> elements.
    /// </summary>
    public static void MatMul<T, TLoop>(ReadOnlySpan<T> a, bool aBatched, int aCols, bool transposeA,
        ReadOnlySpan<T> b, bool bBatched, int bCols, bool transposeB,
        Span<T> c, bool cBatched, int m, int n, int k, int batch, bool accumulate, TLoop loop, int loopRows, long loopElements)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoop : IGemmEpilogue, IFusedLoopBody, allows ref struct
    {
        if (!aBatched && bBatched && cBatched && !transposeB && n == 1 && m >= EpilogueMinRows
            && (!FusedLoops.Splits(loopElements) || !Gemm.RunsOnOneThread<T>(m, batch, k)))
        {
            Gemm.Multiply(transposeA, false, m, batch, k, a, aCols, b, batch, c, batch, accumulate, loop);
            return;
        }
        MatMul(a, aBatched, aCols, transposeA, b, bBatched, bCols, transposeB, c, cBatched, m, n, k, batch, accumulate);
        FusedLoops.Run(loop, loopRows, loopElements);
    }

    private static void GeneralMatMul<T>(ReadOnlySpan<T> a, bool aBatched, int aCols, bool transposeA,
        ReadOnlySpan<T> b, bool bBatched, int bCols, bool transposeB,
        Span<T> c, bool cBatched, int m, int n, int k, int batch, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int aStride = aBatched ? batch : 1, bStride = bBatched ? batch : 1, cStride = cBatched ? batch : 1;
        if (!accumulate)
            c[..(m * n * cStride)].Clear();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                var cij = c.Slice((i * n + j) * cStride, cStride);
                for (int p = 0; p < k; p++)
                {
                    int ai = transposeA ? p * aCols + i : i * aCols + p;
                    int bi = transposeB ? j * bCols + p : p * bCols + j;
                    var aRow = a.Slice(ai * aStride, aStride);
                    var bRow = b.Slice(bi * bStride, bStride);
                    if (cBatched)
                    {
                        if (aBatched && bBatched)
                            TensorPrimitives.FusedMultiplyAdd(aRow, bRow, cij, cij);
                        else if (aBatched)
                            TensorPrimitives.FusedMultiplyAdd(aRow, bRow[0], cij, cij);
                        else
                            TensorPrimitives.FusedMultiplyAdd(bRow, aRow[0], cij, cij);
                    }
                    else
                    {
                        T term = aBatched && bBatched ? TensorPrimitives.Dot(aRow, bRow)
                            : aBatched ? TensorPrimitives.Sum(aRow) * bRow[0]
                            : bBatched ? aRow[0] * TensorPrimitives.Sum(bRow)
                            : aRow[0] * bRow[0];
                        cij[0] += term;
                    }
                }
            }
    }

    /// <summary>dst (+)= src where src has <paramref name="srcSize"/> entries (1 broadcasts over the
    /// <paramref name="dstSize"/> entries of dst) and an unbatched src is repeated for every sample.</summary>
    public static void Store<T>(ReadOnlySpan<T> src, bool srcBatched, int srcSize, Span<T> dst, bool dstBatched, int dstSize, int batch, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (srcBatched && !dstBatched)
            throw new InvalidOperationException("A per-sample value cannot be stored into a shared one without summing over samples.");
        int rowLength = dstBatched ? batch : 1;
        for (int e = 0; e < dstSize; e++)
        {
            int se = srcSize == 1 ? 0 : e;
            var row = dst.Slice(e * rowLength, rowLength);
            if (srcBatched)
            {
                var source = src.Slice(se * batch, batch);
                if (accumulate)
                    TensorPrimitives.Add(row, source, row);
                else
                    source.CopyTo(row);
            }
            else if (accumulate)
            {
                TensorPrimitives.Add(row, src[se], row);
            }
            else
            {
                row.Fill(src[se]);
            }
        }
    }

    /// <summary>dst (+)= Σ over the <paramref name="size"/> entries of each sample.</summary>
    public static void SumFeatures<T>(ReadOnlySpan<T> src, bool batched, int size, Span<T> dst, int batch, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rowLength = batched ? batch : 1;
        var row = dst[..rowLength];
        if (!accumulate)
            row.Clear();
        for (int e = 0; e < size; e++)
            TensorPrimitives.Add(row, src.Slice(e * rowLength, rowLength), row);
    }

    /// <summary>dst[e] (+)= Σ_samples src[e, sample].</summary>
    /// <remarks>Rows are summed independently, each by one thread in one order, so a large sum (a bias gradient over a
    /// big batch, otherwise a serial pass while the other core waits) splits across the kernel threads with the same
    /// result.</remarks>
    public static void BatchSum<T>(ReadOnlySpan<T> src, int size, Span<T> dst, int batch, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The rows are read through a reference, unchecked, so the lengths are checked here once.
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (src.Length < (long)size * batch)
            throw new ArgumentException($"The source holds {src.Length} values but {size} rows of {batch} need {(long)size * batch}.", nameof(src));
        if (dst.Length < size)
            throw new ArgumentException($"The destination holds {dst.Length} values but {size} sums are written.", nameof(dst));
        var rows = new BatchSumRows<T> { Source = src, Destination = dst, Batch = batch, Accumulate = accumulate };
        FusedLoops.Run(rows, size, (long)size * batch);
    }

    private ref struct BatchSumRows<T> : IFusedLoopBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public ReadOnlySpan<T> Source;
        public Span<T> Destination;
        public int Batch;
        public bool Accumulate;

        public readonly void Run(int start, int end)
        {
            ref T source = ref MemoryMarshal.GetReference(Source);
            for (int e = start; e < end; e++)
            {
                T sum = RowSums.Sum(ref Unsafe.Add(ref source, (nint)e * Batch), Batch);
                Destination[e] = Accumulate ? Destination[e] + sum : sum;
            }
        }
    }

    /// <summary>dst[e] (+)= src[indices[e]] (rows of samples when batched).</summary>
    public static void Gather<T>(ReadOnlySpan<T> src, bool batched, ReadOnlySpan<int> indices, Span<T> dst, int batch, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rowLength = batched ? batch : 1;
        for (int e = 0; e < indices.Length; e++)
        {
            var source = src.Slice(indices[e] * rowLength, rowLength);
            var row = dst.Slice(e * rowLength, rowLength);
            if (accumulate)
                TensorPrimitives.Add(row, source, row);
            else
                source.CopyTo(row);
        }
    }

    /// <summary>dst[indices[e]] += src[e]: the transpose of <see cref="Gather"/>.</summary>
    public static void ScatterAdd<T>(ReadOnlySpan<T> src, bool srcBatched, ReadOnlySpan<int> indices, Span<T> dst, bool dstBatched, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (srcBatched && !dstBatched)
            throw new InvalidOperationException("A per-sample value cannot be scattered into a shared one without summing over samples.");
        int dstRow = dstBatched ? batch : 1;
        for (int e = 0; e < indices.Length; e++)
        {
            var row = dst.Slice(indices[e] * dstRow, dstRow);
            if (srcBatched)
                TensorPrimitives.Add(row, src.Slice(e * batch, batch), row);
            else
                TensorPrimitives.Add(row, src[e], row);
        }
    }

    /// <summary>Converts double-precision constants into the working precision.</summary>
    public static void LoadConstants<T>(ReadOnlySpan<double> values, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
            dst[i] = T.CreateTruncating(values[i]);
    }

    /// <summary>dst = sign(x) (−1, 0 or 1).</summary>
    public static void Sign<T>(ReadOnlySpan<T> x, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
            dst[i] = T.CreateTruncating(T.Sign(x[i]));
    }

    /// <summary>dst = 1 where x &gt; 0, else 0 (the derivative of Relu).</summary>
    public static void Step<T>(ReadOnlySpan<T> x, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
            dst[i] = x[i] > T.Zero ? T.One : T.Zero;
    }
}
