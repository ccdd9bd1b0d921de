using System.Runtime.CompilerServices;

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

/// <summary>
/// An epilogue as a function pointer and the address of its state. The GEMM's driver, macro-kernel and inlined
/// micro-kernels take this instead of the epilogue's type, so they are compiled once per element type rather than
/// once per generated loop (a model has dozens of those), at the cost of one indirect call per finished row panel.
/// </summary>
internal readonly unsafe struct EpilogueCall
{
    private readonly delegate*<void*, int, int, int, int, void> _run;
    private readonly void* _state;

    private EpilogueCall(delegate*<void*, int, int, int, int, void> run, void* state)
    {
        _run = run;
        _state = state;
    }

    /// <summary>The call of <paramref name="state"/>'s <see cref="IGemmEpilogue.Run"/>; the state must stay put
    /// until the product returns.</summary>
    public static EpilogueCall For<TEpilogue>(void* state)
        where TEpilogue : IGemmEpilogue, allows ref struct
        => new(&Invoke<TEpilogue>, state);

    /// <summary>Whether there is an epilogue to run (false for the default).</summary>
    public bool IsPresent => _run != null;

    /// <summary>Runs the epilogue on a block of C; does nothing for the default (no epilogue).</summary>
    public void Run(int rowStart, int rowEnd, int columnStart, int columnEnd)
    {
        if (_run != null)
            _run(_state, rowStart, rowEnd, columnStart, columnEnd);
    }

    private static void Invoke<TEpilogue>(void* state, int rowStart, int rowEnd, int columnStart, int columnEnd)
        where TEpilogue : IGemmEpilogue, allows ref struct
        => Unsafe.AsRef<TEpilogue>(state).Run(rowStart, rowEnd, columnStart, columnEnd);
}
