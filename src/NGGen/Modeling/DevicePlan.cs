namespace NGGen;

/// <summary>The device buffers a generated CUDA plan addresses; each holds what the CPU span of that name would.</summary>
public enum DeviceRegion
{
    /// <summary>The parameters θ.</summary>
    Theta,

    /// <summary>The function inputs, feature-major.</summary>
    Inputs,

    /// <summary>The tangent (JVP) or cotangent (VJP) seed.</summary>
    Seed,

    /// <summary>The outputs, the JVP, or the gradient (added into).</summary>
    Result,

    /// <summary>The workspace (<c>WorkspaceLength</c> entries).</summary>
    Workspace,

    /// <summary>The linearization (<c>LinearizationLength</c> entries).</summary>
    Linearization,
}

/// <summary>Generated device source: CUDA C compiled with <c>-DNGGEN_T=float</c> or <c>double</c>, and its SHA-256.</summary>
/// <param name="Source">The CUDA C source.</param>
/// <param name="Hash">SHA-256 of <paramref name="Source"/>'s UTF-8 bytes, lower-case hex.</param>
public sealed record DeviceCode(string Source, string Hash);

/// <summary>A place in one of the device buffers: a region and an element offset into it.</summary>
/// <param name="Region">The buffer.</param>
/// <param name="Offset">Elements from the buffer's start.</param>
public readonly record struct DeviceOperand(DeviceRegion Region, long Offset)
{
    /// <summary>The operand <paramref name="elements"/> further on in the same buffer.</summary>
    public DeviceOperand Plus(long elements) => this with { Offset = Offset + elements };
}

/// <summary>
/// Runs the steps of a generated model's CUDA plan (<c>CudaPlan</c>), in order: kernels of the model's
/// <c>CudaSource</c> and matrix products. Implemented by NGGen.Cuda's runtime; the core library only describes
/// the steps, so it has no CUDA dependency.
/// </summary>
public interface IDevicePlanRunner
{
    /// <summary>Launches the kernel <paramref name="name"/> over <paramref name="threads"/> indices.</summary>
    void Kernel(string name, long threads);

    /// <summary>
    /// Launches the reduction kernel <paramref name="name"/>: one block per entry (grid-stride over
    /// <paramref name="entries"/>), each summing <paramref name="length"/> values with a power-of-two block size of
    /// at most <c>NGGEN_REDUCTION_THREADS</c> (256) threads.
    /// </summary>
    void Reduction(string name, long entries, long length);

    /// <summary>
    /// C (+)= op(A)·op(B) per sample, with the operand layout and semantics of
    /// <see cref="Kernels.Batched.MatMul{T}"/>.
    /// </summary>
    void MatMul(DeviceOperand a, bool aBatched, int aCols, bool transposeA,
        DeviceOperand b, bool bBatched, int bCols, bool transposeB,
        DeviceOperand c, bool cBatched, int m, int n, int k, int batch, bool accumulate);
}
