namespace NGGen.Kernels;

/// <summary>
/// Work a product runs on each block of C as soon as the block holds its final values: the elementwise pass that
/// follows a layer's matrix product (bias, activation, the activation's derivative), run while the block is still
/// in cache instead of as a second pass over the whole of C.
/// </summary>
/// <remarks>
/// Generated fused loops implement this next to <see cref="IFusedLoopBody"/> when the generator finds a loop that
/// reads a product only element by element and runs right after it. <see cref="Gemm"/> calls it once per finished
/// block, from the thread that computed the block; the blocks of one product are disjoint and cover C.
/// </remarks>
public interface IGemmEpilogue
{
    /// <summary>Runs on rows <paramref name="rowStart"/> to <paramref name="rowEnd"/> and columns
    /// <paramref name="columnStart"/> to <paramref name="columnEnd"/> of C (ends exclusive).</summary>
    void Run(int rowStart, int rowEnd, int columnStart, int columnEnd);
}

/// <summary>The empty epilogue of a plain product; the JIT removes its calls.</summary>
internal readonly struct NoEpilogue : IGemmEpilogue
{
    /// <inheritdoc/>
    public void Run(int rowStart, int rowEnd, int columnStart, int columnEnd)
    {
    }
}
