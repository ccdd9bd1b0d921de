using System.Numerics;
using System.Runtime.CompilerServices;

namespace NGGen.Kernels;

/// <summary>Two independent products run at the same time, one per core (see <see cref="MatMulBeside{T}(MatMulCall{T}, MatMulCall{T})"/>).</summary>
public static partial class Batched
{
    // Multiply-adds each product needs before the pair runs side by side: the work from which Gemm splits a product
    // in two, so a pair never costs a fork that two split products would not have cost.
    private const long BesideMinWork = 1L << 21;

    // Multiply-adds above which either product runs split instead: a split of that size is as efficient as a whole
    // product on one core, once its two row parts pack their own B (Gemm), and two whole products at once then lose
    // to the shared L3. Alternated on the AMD EPYC VM (twenty-second session, paired medians of 20 rounds, MLP gradient
    // without pairs against with): w1024 b256 (2^28 each) 0.979 (0.976 before the private blocks), GGN product 0.984;
    // w1024 b32 (2^25) 1.055, w256 b32 (2^21) 1.170. On the Emerald Rapids VM, before the private blocks, w1024 b256
    // gained 1.5–2.6% with pairs.
    private const long BesideMaxWork = 1L << 26;

    private static int s_pairsRunBeside;

    /// <summary>Pairs that ran side by side so far (for tests: the other path gives the same bits).</summary>
    internal static int PairsRunBeside => Volatile.Read(ref s_pairsRunBeside);

    /// <summary>
    /// Runs <paramref name="first"/> and <paramref name="second"/>, which the generator found independent (neither
    /// reads what the other writes; the first writes only the caller's gradient), at the same time on two threads,
    /// each product whole on its own core; else one after the other, each split as usual. The results are the same
    /// bits either way: a split product computes every element as the one-thread product does.
    /// </summary>
    /// <remarks>
    /// On two cores a layer's weight gradient D·Hᵀ beside the next input cotangent Wᵀ·D took 0.95–0.96× the time of
    /// the two split one after the other at width 1024 and batch 256, 0.85× at width 256 and batch 32 (Emerald Rapids
    /// VM). The MLP gradient ran 3–5.5% faster at w1024 b32 and 7–17% at w256 b32 (bench/RESULTS.md, "Twenty-first
    /// session" and "Twenty-second session"). It pays only on exactly two threads: with more, two whole products would
    /// leave the others idle where split products use them all, so the pair then runs one after the other. Nor does
    /// it pay for products over 2^26 multiply-adds (w1024 b256), whose split is as efficient as a whole product.
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="first">A product whose result nothing else in the call reads (a weight gradient).</param>
    /// <param name="second">The product that follows it.</param>
    public static unsafe void MatMulBeside<T>(MatMulCall<T> first, MatMulCall<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (RunsBeside(first.Work, second.Work))
        {
            var job = new BesideJob<T> { First = first, Second = second };
            if (KernelThreads.TryRun(&RunBesidePart<T>, Unsafe.AsPointer(ref job), 2))
            {
                Interlocked.Increment(ref s_pairsRunBeside);
                return;
            }
        }
        first.Run();
        second.Run();
    }

    /// <summary>
    /// As <see cref="MatMulBeside{T}(MatMulCall{T}, MatMulCall{T})"/>, with the second product running
    /// <paramref name="loop"/> on its blocks as <see cref="MatMul{T, TLoop}"/> does.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <typeparam name="TLoop">The second product's fused loop.</typeparam>
    /// <param name="first">A product whose result nothing else in the call reads (a weight gradient).</param>
    /// <param name="second">The product that follows it.</param>
    /// <param name="loop">The fused loop that reads the second product.</param>
    /// <param name="loopRows">The loop's rows, as for <see cref="MatMul{T, TLoop}"/>.</param>
    /// <param name="loopElements">The loop's elements, as for <see cref="MatMul{T, TLoop}"/>.</param>
    public static unsafe void MatMulBeside<T, TLoop>(MatMulCall<T> first, MatMulCall<T> second, TLoop loop, int loopRows, long loopElements)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoop : IGemmEpilogue, IFusedLoopBody, allows ref struct
    {
        if (RunsBeside(first.Work, second.Work))
        {
            var job = new BesideJob<T, TLoop> { First = first, Second = second, Loop = loop, LoopRows = loopRows, LoopElements = loopElements };
            if (KernelThreads.TryRun(&RunBesidePart<T, TLoop>, Unsafe.AsPointer(ref job), 2))
            {
                Interlocked.Increment(ref s_pairsRunBeside);
                return;
            }
        }
        first.Run();
        second.Run(loop, loopRows, loopElements);
    }

    private static bool RunsBeside(long firstWork, long secondWork)
        => KernelThreads.ThreadCount == 2
            && Math.Min(firstWork, secondWork) >= BesideMinWork && Math.Max(firstWork, secondWork) <= BesideMaxWork;

    // Part 0 (the calling thread) runs the second product, whose result the code after the pair reads first. Inside a
    // part the workers are taken, so each product and its loop run whole on their thread.
    private static unsafe void RunBesidePart<T>(int part, int parts, void* state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var job = ref Unsafe.AsRef<BesideJob<T>>(state);
        if (part == 0)
            job.Second.Run();
        else
            job.First.Run();
    }

    private static unsafe void RunBesidePart<T, TLoop>(int part, int parts, void* state)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoop : IGemmEpilogue, IFusedLoopBody, allows ref struct
    {
        ref var job = ref Unsafe.AsRef<BesideJob<T, TLoop>>(state);
        if (part == 0)
            job.Second.Run(job.Loop, job.LoopRows, job.LoopElements);
        else
            job.First.Run();
    }

    // The pair's arguments, on the caller's stack until both parts are done.
    private ref struct BesideJob<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public MatMulCall<T> First;
        public MatMulCall<T> Second;
    }

    private ref struct BesideJob<T, TLoop>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoop : IGemmEpilogue, IFusedLoopBody, allows ref struct
    {
        public MatMulCall<T> First;
        public MatMulCall<T> Second;
        public TLoop Loop;
        public int LoopRows;
        public long LoopElements;
    }
}
