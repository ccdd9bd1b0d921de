using System.Numerics;

namespace NGGen.Kernels;

/// <summary>
/// The arguments of one <see cref="Batched.MatMul{T}"/> call, in the same order, so that generated code can hand
/// two products to <see cref="Batched.MatMulBeside{T}(MatMulCall{T}, MatMulCall{T})"/> at once.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly ref struct MatMulCall<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ReadOnlySpan<T> _a, _b;
    private readonly Span<T> _c;
    private readonly bool _aBatched, _transposeA, _bBatched, _transposeB, _cBatched, _accumulate;
    private readonly int _aCols, _bCols, _m, _n, _k, _batch;

    /// <summary>Captures the arguments of <see cref="Batched.MatMul{T}"/> (see there for their meaning).</summary>
    /// <param name="a">Storage of A.</param>
    /// <param name="aBatched">Whether A has one matrix per sample.</param>
    /// <param name="aCols">Stored columns of A.</param>
    /// <param name="transposeA">Whether op(A) is Aᵀ.</param>
    /// <param name="b">Storage of B.</param>
    /// <param name="bBatched">Whether B has one matrix per sample.</param>
    /// <param name="bCols">Stored columns of B.</param>
    /// <param name="transposeB">Whether op(B) is Bᵀ.</param>
    /// <param name="c">Storage of C.</param>
    /// <param name="cBatched">Whether C has one matrix per sample (else the sum over samples).</param>
    /// <param name="m">Rows of op(A) and C, per sample.</param>
    /// <param name="n">Columns of op(B) and C, per sample.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="batch">Samples.</param>
    /// <param name="accumulate">Whether to add to C.</param>
    public MatMulCall(ReadOnlySpan<T> a, bool aBatched, int aCols, bool transposeA,
        ReadOnlySpan<T> b, bool bBatched, int bCols, bool transposeB,
        Span<T> c, bool cBatched, int m, int n, int k, int batch, bool accumulate)
    {
        _a = a;
        _b = b;
        _c = c;
        (_aBatched, _aCols, _transposeA) = (aBatched, aCols, transposeA);
        (_bBatched, _bCols, _transposeB) = (bBatched, bCols, transposeB);
        (_cBatched, _m, _n, _k, _batch, _accumulate) = (cBatched, m, n, k, batch, accumulate);
    }

    /// <summary>Multiply-adds of the whole call: per sample, times the batch when any operand is batched.</summary>
    internal long Work => (long)_m * _n * _k * (_aBatched || _bBatched || _cBatched ? _batch : 1);

    internal void Run()
        => Batched.MatMul(_a, _aBatched, _aCols, _transposeA, _b, _bBatched, _bCols, _transposeB, _c, _cBatched, _m, _n, _k, _batch, _accumulate);

    internal void Run<TLoop>(TLoop loop, int loopRows, long loopElements)
        where TLoop : IGemmEpilogue, IFusedLoopBody, allows ref struct
        => Batched.MatMul(_a, _aBatched, _aCols, _transposeA, _b, _bBatched, _bCols, _transposeB, _c, _cBatched, _m, _n, _k, _batch, _accumulate,
            loop, loopRows, loopElements);
}
