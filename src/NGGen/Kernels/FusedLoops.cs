using System.Runtime.CompilerServices;

namespace NGGen.Kernels;

/// <summary>
/// The body of one fused elementwise loop in generated code: the rows (features, or chunks of a flat loop) it covers
/// are independent, so any split of them gives the same result.
/// </summary>
public interface IFusedLoopBody
{
    /// <summary>Runs rows <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    void Run(int start, int end);
}

/// <summary>Runs generated fused elementwise loops on <see cref="KernelThreads"/>.</summary>
/// <remarks>
/// The passes between a layer's matrix products (bias, activation, its derivative) stream whole batch-sized arrays
/// and are bound by memory bandwidth, which on the 2-core VM is 15 GB/s for one core and 28 GB/s for two. Each
/// element is computed by the same code on whichever thread runs its row, so results do not depend on the split.
/// </remarks>
public static unsafe class FusedLoops
{
    // Elements from which a loop is split (a serial pass of this size takes about 40 µs). Measured on the VM: split
    // passes of 131072 elements made the MLP gradient at w64 b2048 and w256 b2048 about 10% faster, but passes of
    // 32768 (w16 b2048) made it 30% slower, the fork-join and the wait for the other core costing more than they
    // saved.
    private const long ParallelMinElements = 1 << 17;

    /// <summary>
    /// Runs <paramref name="body"/> over rows 0 to <paramref name="rows"/>, split across the kernel threads when the
    /// loop touches at least 2^17 <paramref name="elements"/> and the workers are free; otherwise on this thread.
    /// </summary>
    /// <remarks>The body is taken by value: the parts share this frame's copy, which stays put while they run.</remarks>
    public static void Run<TBody>(TBody body, int rows, long elements)
        where TBody : IFusedLoopBody, allows ref struct
    {
        int parts = Math.Min(KernelThreads.ThreadCount, rows);
        if (parts > 1 && elements >= ParallelMinElements)
        {
            // The copy lives on this stack frame, which TryRun does not leave until every part has finished.
            var job = new Job { Body = Unsafe.AsPointer(ref body), Rows = rows };
            if (KernelThreads.TryRun(&RunPart<TBody>, &job, parts))
                return;
        }

        body.Run(0, rows);
    }

    /// <summary>Whether a loop over <paramref name="elements"/> values is worth splitting across the kernel threads.</summary>
    internal static bool Splits(long elements) => KernelThreads.ThreadCount > 1 && elements >= ParallelMinElements;

    private struct Job
    {
        public void* Body;
        public int Rows;
    }

    private static void RunPart<TBody>(int part, int parts, void* state)
        where TBody : IFusedLoopBody, allows ref struct
    {
        var job = (Job*)state;
        var (start, end) = KernelThreads.Share(job->Rows, part, parts);
        if (start < end)
            Unsafe.AsRef<TBody>(job->Body).Run(start, end);
    }
}
