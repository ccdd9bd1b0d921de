using System.Runtime.Intrinsics;
using NGGen.Bench;
using NGGen.Kernels;

namespace NGGen.PeerBench;

/// <summary>
/// The machine's limits, measured in the same run as everything else so the other groups can be read as fractions
/// of them: the FMA peak (independent vector FMA chains, no memory traffic) and the copy bandwidth (two arrays
/// far larger than the caches), on one core and on all of <see cref="KernelThreads.ThreadCount"/>; then the GEMMs
/// the MLP group's layers run (C[w×b] = W[w×w]·X[w×b], float) as GFLOP/s and as a fraction of the FMA peak.
/// </summary>
public static class PeakGroup
{
    private const int CopyElements = 1 << 25; // 128 MiB of float per array

    public static void Run(PeerOptions options)
    {
        int threads = KernelThreads.ThreadCount;
        double floatPeak = 0;
        foreach (int t in threads > 1 ? new[] { 1, threads } : [1])
        {
            double single = Fma<float>(t, "float");
            Fma<double>(t, "double");
            if (t == threads)
                floatPeak = single;
        }
        foreach (int t in threads > 1 ? new[] { 1, threads } : [1])
            Copy(t);

        int[] widths = options.Quick ? [256] : [256, 1024];
        int[] batches = options.Quick ? [256] : [32, 256, 2048];
        foreach (int width in widths)
            foreach (int batch in batches)
                LayerGemm(width, batch, floatPeak);

        // The backward products, which the layer GEMM rows leave out: the weight gradient is the only product of a
        // 64-wide layer with a long depth.
        int[] backwardWidths = options.Quick ? [64, 256] : [64, 256, 1024];
        foreach (int width in backwardWidths)
            foreach (int batch in batches)
                BackwardGemms(width, batch, floatPeak);

        // The VM's clock drifts between cases (the 2-core FMA peak has measured 194-271 GFLOP/s in one hour), so
        // the fraction is also taken in pairs: the FMA peak and the GEMM timed back to back, round after round, on
        // the same thread count. The median of the per-round ratios cancels the drift the separate medians carry.
        foreach (int t in threads > 1 ? new[] { 1, threads } : [1])
            foreach (int width in widths)
                foreach (int batch in batches)
                    PairedLayerGemm(width, batch, t, options.Quick ? 5 : 21);
    }

    private static void PairedLayerGemm(int width, int batch, int threads, int rounds)
    {
        var (w, x, c) = LayerOperands(width, batch);
        int saved = KernelThreads.ThreadCount;
        KernelThreads.ThreadCount = threads;
        try
        {
            double fmaFlops = FmaFlops<float>(threads);
            double gemmFlops = 2.0 * width * width * batch;
            Action fma = FmaCall<float>(threads);
            Action gemm = () => Gemm.Multiply<float>(false, false, width, batch, width, w, width, x, batch, c, batch, false);
            fma();
            gemm();
            var fractions = new double[rounds];
            var gemmRates = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                double peak = fmaFlops / Measure.MedianOver(fma, 0.02);
                gemmRates[r] = gemmFlops / Measure.MedianOver(gemm, 0.02);
                fractions[r] = gemmRates[r] / peak;
            }
            Array.Sort(fractions);
            Array.Sort(gemmRates);
            double fraction = fractions[rounds / 2];
            ResultWriter.Write("peak", $"gemm_paired/{threads}t/w{width}/b{batch}", new Timing(gemmFlops / gemmRates[rounds / 2], rounds, 0),
                ("gflops", gemmRates[rounds / 2] / 1e9), ("width", width), ("batch", batch), ("threads", threads),
                ("fraction_of_peak", fraction), ("fraction_low", fractions[rounds / 4]), ("fraction_high", fractions[rounds - 1 - rounds / 4]));
        }
        finally
        {
            KernelThreads.ThreadCount = saved;
        }
    }

    private static (float[] W, float[] X, float[] C) LayerOperands(int width, int batch)
    {
        var random = new Random(width + batch);
        float[] w = Enumerable.Range(0, width * width).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] x = Enumerable.Range(0, width * batch).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        return (w, x, new float[width * batch]);
    }

    private static double Fma<T>(int threads, string type) where T : unmanaged
    {
        double flops = FmaFlops<T>(threads);
        var timing = Measure.Median(FmaCall<T>(threads));
        double gflops = flops / timing.Seconds / 1e9;
        ResultWriter.Write("peak", $"fma_{type}/{threads}t", timing, ("gflops", gflops), ("threads", threads),
            ("vector_bits", Vector512.IsHardwareAccelerated ? 512 : 256));
        return gflops;
    }

    // Flops of one FmaCall: every thread runs the whole loop.
    private static double FmaFlops<T>(int threads) where T : unmanaged
    {
        int lanes = Vector512.IsHardwareAccelerated ? Vector512<T>.Count : Vector256<T>.Count;
        return threads * (double)FmaLoops.Iterations * FmaLoops.Chains * lanes * 2;
    }

    private static Action FmaCall<T>(int threads) where T : unmanaged
    {
        var team = Team(threads);
        return () => team.Run(_ => Loop<T>());
    }

    // One team per thread count for the whole run: its threads stay blocked between measurements.
    private static readonly Dictionary<int, ThreadTeam> s_teams = [];

    private static ThreadTeam Team(int threads)
    {
        if (!s_teams.TryGetValue(threads, out var team))
            s_teams[threads] = team = new ThreadTeam(threads);
        return team;
    }

    private static void Loop<T>() where T : unmanaged
    {
        // The results are consumed so the JIT cannot drop the loops.
        if (typeof(T) == typeof(float))
            s_sink += Vector512.IsHardwareAccelerated
                ? FmaLoops.Run512(Vector512.Create(0.999999f), Vector512.Create(1e-7f)).ToScalar()
                : FmaLoops.Run256(Vector256.Create(0.999999f), Vector256.Create(1e-7f)).ToScalar();
        else
            s_sink += (float)(Vector512.IsHardwareAccelerated
                ? FmaLoops.Run512(Vector512.Create(0.999999), Vector512.Create(1e-7)).ToScalar()
                : FmaLoops.Run256(Vector256.Create(0.999999), Vector256.Create(1e-7)).ToScalar());
    }

    private static float s_sink;

    private static void Copy(int threads)
    {
        var source = GC.AllocateUninitializedArray<float>(CopyElements);
        var destination = GC.AllocateUninitializedArray<float>(CopyElements);
        source.AsSpan().Fill(1);
        destination.AsSpan().Clear();
        int chunk = CopyElements / threads;
        void CopyPart(int part) => source.AsSpan(part * chunk, chunk).CopyTo(destination.AsSpan(part * chunk, chunk));
        var team = Team(threads);
        var timing = Measure.Median(() => team.Run(CopyPart));
        // Bytes read plus bytes written.
        double gbPerSecond = 2.0 * CopyElements * sizeof(float) / timing.Seconds / 1e9;
        ResultWriter.Write("peak", $"copy/{threads}t", timing, ("gb_per_s", gbPerSecond), ("threads", threads));
    }

    // A layer's two backward products as the generated VJP calls them (Batched.MatMul): the input cotangent
    // C[w×b] = Wᵀ·D, op(A) transposed, and the weight gradient C[w×w] = D·Hᵀ summed over the batch, op(B) transposed.
    private static void BackwardGemms(int width, int batch, double floatPeak)
    {
        var (w, d, c) = LayerOperands(width, batch);
        var h = (float[])d.Clone();
        var gradient = new float[width * width];
        double flops = 2.0 * width * width * batch;
        var timing = Measure.Median(() => Gemm.Multiply<float>(true, false, width, batch, width, w, width, d, batch, c, batch, false));
        ResultWriter.Write("peak", $"gemm_input_cotangent/w{width}/b{batch}", timing, ("gflops", flops / timing.Seconds / 1e9),
            ("width", width), ("batch", batch), ("fraction_of_peak", flops / timing.Seconds / 1e9 / floatPeak));
        timing = Measure.Median(() => Gemm.Multiply<float>(false, true, width, width, batch, d, batch, h, batch, gradient, width, false));
        ResultWriter.Write("peak", $"gemm_weight_gradient/w{width}/b{batch}", timing, ("gflops", flops / timing.Seconds / 1e9),
            ("width", width), ("batch", batch), ("fraction_of_peak", flops / timing.Seconds / 1e9 / floatPeak));
    }

    private static void LayerGemm(int width, int batch, double floatPeak)
    {
        var (w, x, c) = LayerOperands(width, batch);
        // Exactly the call Batched.MatMul makes for a shared weight times a batched input.
        var timing = Measure.Median(() => Gemm.Multiply<float>(false, false, width, batch, width, w, width, x, batch, c, batch, false));
        double gflops = 2.0 * width * width * batch / timing.Seconds / 1e9;
        ResultWriter.Write("peak", $"gemm/w{width}/b{batch}", timing, ("gflops", gflops), ("width", width), ("batch", batch),
            ("fraction_of_peak", gflops / floatPeak));
    }
}
