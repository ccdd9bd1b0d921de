using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary>
/// The vector work of one conjugate-gradient iteration in three passes over host arrays rather than nine: each pass
/// does the updates that read the same vectors and takes the dot products of their results on the way. Long vectors
/// are split across <see cref="KernelThreads"/>.
/// </summary>
/// <remarks>
/// At the 256-wide MLP's 197,376 parameters every vector is 1.58 MB, beyond L2, so each separate update or dot product
/// was a trip through L3: one CG iteration's nine passes took about 1.1 ms next to a 2.8 ms Gauss-Newton product
/// (bench/RESULTS.md, "Seventeenth session"). The updates keep the separate calls' rounding (a multiply, then an add,
/// not fused), so the iterates' updates are unchanged; the dot products sum in fixed blocks (each in four lanes, the
/// blocks then in order), so they do not depend on the number of threads, and differ from a plain dot product only by
/// rounding.
/// </remarks>
internal static unsafe class ConjugateGradientPasses
{
    // Vectors from this length are split across the kernel threads. Not tuned: it keeps short vectors (the 64-wide
    // MLP's 12,480 parameters, a pass of a few µs) off the fork-join, whose cost is a few µs, and splits the measured
    // case (197,376 parameters at w256, a 1.58 MB vector: against 49 ms unfused, the step took 45.6 ms fused on one
    // core and 42.5 ms fused and split, in two alternated runs).
    private const int ParallelMinLength = 1 << 15;

    // Dot products are summed in at most this many blocks of at least MinBlockLength (a multiple of the lane count).
    private const int MaxBlocks = 64;
    private const int MinBlockLength = 1 << 12;

    /// <summary>y ← y + α·x; returns xᵀy of the updated y.</summary>
    public static double AddScaledThenDot(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        RequireSameLength(y.Length, x.Length, nameof(x));
        fixed (double* px = x, py = y)
        {
            var job = new Job { A = px, B = py, Alpha = alpha };
            return Run<AddScaledThenDotPass>(&job, y.Length).First;
        }
    }

    /// <summary>
    /// step ← step + α·direction and residual ← residual + α·product; returns residualᵀresidual, residualᵀstep and
    /// gradientᵀstep of the updated vectors.
    /// </summary>
    public static (double ResidualSquared, double ResidualDotStep, double GradientDotStep) UpdateStepAndResidual(
        double alpha, ReadOnlySpan<double> direction, ReadOnlySpan<double> product, Span<double> step, Span<double> residual,
        ReadOnlySpan<double> gradient)
    {
        int n = step.Length;
        RequireSameLength(n, direction.Length, nameof(direction));
        RequireSameLength(n, product.Length, nameof(product));
        RequireSameLength(n, residual.Length, nameof(residual));
        RequireSameLength(n, gradient.Length, nameof(gradient));
        fixed (double* d = direction, p = product, s = step, r = residual, g = gradient)
        {
            var job = new Job { A = d, B = p, C = s, D = r, E = g, Alpha = alpha };
            return Run<UpdatePass>(&job, n);
        }
    }

    /// <summary>x ← β·x − y.</summary>
    public static void ScaleThenSubtract(double beta, Span<double> x, ReadOnlySpan<double> y)
    {
        RequireSameLength(x.Length, y.Length, nameof(y));
        fixed (double* px = x, py = y)
        {
            var job = new Job { A = px, B = py, Alpha = beta };
            Run<ScaleThenSubtractPass>(&job, x.Length);
        }
    }

    // Runs TPass over [0, length) in blocks, on the kernel threads when long enough, and sums each of the three
    // results over the blocks in order.
    private static (double First, double Second, double Third) Run<TPass>(Job* job, int length)
        where TPass : struct, IPass
    {
        int blocks = Math.Clamp(length / MinBlockLength, 1, MaxBlocks);
        int blockLength = Math.Max(8, ((length + blocks - 1) / blocks + 7) & ~7);
        blocks = Math.Max(1, (length + blockLength - 1) / blockLength);
        double* partials = stackalloc double[3 * blocks];
        (job->Length, job->BlockLength, job->Blocks) = (length, blockLength, blocks);
        job->Partials = partials;

        int parts = Math.Min(KernelThreads.ThreadCount, blocks);
        if (length < ParallelMinLength || !KernelThreads.TryRun(&RunPart<TPass>, job, parts))
            RunPart<TPass>(0, 1, job);

        double first = 0, second = 0, third = 0;
        for (int b = 0; b < blocks; b++)
        {
            first += partials[3 * b];
            second += partials[(3 * b) + 1];
            third += partials[(3 * b) + 2];
        }

        return (first, second, third);
    }

    private static void RunPart<TPass>(int part, int parts, void* state)
        where TPass : struct, IPass
    {
        var job = (Job*)state;
        var (first, end) = KernelThreads.Share(job->Blocks, part, parts);
        for (int b = first; b < end; b++)
        {
            int start = b * job->BlockLength;
            TPass.Run(job, start, Math.Min(start + job->BlockLength, job->Length), job->Partials + (3 * b));
        }
    }

    private static void RequireSameLength(int expected, int length, string name)
    {
        if (length != expected)
            throw new ArgumentException($"The vectors differ in length ({expected} and {length}).", name);
    }

    private struct Job
    {
        public double* A, B, C, D, E;
        public double Alpha;
        public int Length, BlockLength, Blocks;
        public double* Partials;
    }

    // One pass over elements [start, end), writing its three block sums to sums[0..2].
    private interface IPass
    {
        static abstract void Run(Job* job, int start, int end, double* sums);
    }

    // B ← B + α·A; sums[0] = Σ A·B.
    private readonly struct AddScaledThenDotPass : IPass
    {
        public static void Run(Job* job, int start, int end, double* sums)
        {
            double* x = job->A, y = job->B;
            double alpha = job->Alpha, dot = 0;
            int i = start;
            if (Vector256.IsHardwareAccelerated)
            {
                var a = Vector256.Create(alpha);
                Vector256<double> sum = default;
                for (; i <= end - 4; i += 4)
                {
                    var xi = Vector256.Load(x + i);
                    var yi = Vector256.Load(y + i) + (xi * a);
                    yi.Store(y + i);
                    sum += xi * yi;
                }

                dot = Vector256.Sum(sum);
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                var a = Vector128.Create(alpha);
                Vector128<double> sum = default;
                for (; i <= end - 2; i += 2)
                {
                    var xi = Vector128.Load(x + i);
                    var yi = Vector128.Load(y + i) + (xi * a);
                    yi.Store(y + i);
                    sum += xi * yi;
                }

                dot = Vector128.Sum(sum);
            }

            for (; i < end; i++)
            {
                y[i] += x[i] * alpha;
                dot += x[i] * y[i];
            }

            (sums[0], sums[1], sums[2]) = (dot, 0, 0);
        }
    }

    // C (step) ← C + α·A (direction), D (residual) ← D + α·B (product); sums: Σ D², Σ D·C, Σ E (gradient)·C.
    private readonly struct UpdatePass : IPass
    {
        public static void Run(Job* job, int start, int end, double* sums)
        {
            double* d = job->A, p = job->B, s = job->C, r = job->D, g = job->E;
            double alpha = job->Alpha, rr = 0, rs = 0, gs = 0;
            int i = start;
            if (Vector256.IsHardwareAccelerated)
            {
                var a = Vector256.Create(alpha);
                Vector256<double> rrSum = default, rsSum = default, gsSum = default;
                for (; i <= end - 4; i += 4)
                {
                    var si = Vector256.Load(s + i) + (Vector256.Load(d + i) * a);
                    var ri = Vector256.Load(r + i) + (Vector256.Load(p + i) * a);
                    si.Store(s + i);
                    ri.Store(r + i);
                    rrSum += ri * ri;
                    rsSum += ri * si;
                    gsSum += Vector256.Load(g + i) * si;
                }

                (rr, rs, gs) = (Vector256.Sum(rrSum), Vector256.Sum(rsSum), Vector256.Sum(gsSum));
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                var a = Vector128.Create(alpha);
                Vector128<double> rrSum = default, rsSum = default, gsSum = default;
                for (; i <= end - 2; i += 2)
                {
                    var si = Vector128.Load(s + i) + (Vector128.Load(d + i) * a);
                    var ri = Vector128.Load(r + i) + (Vector128.Load(p + i) * a);
                    si.Store(s + i);
                    ri.Store(r + i);
                    rrSum += ri * ri;
                    rsSum += ri * si;
                    gsSum += Vector128.Load(g + i) * si;
                }

                (rr, rs, gs) = (Vector128.Sum(rrSum), Vector128.Sum(rsSum), Vector128.Sum(gsSum));
            }

            for (; i < end; i++)
            {
                s[i] += d[i] * alpha;
                r[i] += p[i] * alpha;
                rr += r[i] * r[i];
                rs += r[i] * s[i];
                gs += g[i] * s[i];
            }

            (sums[0], sums[1], sums[2]) = (rr, rs, gs);
        }
    }

    // A ← β·A − B.
    private readonly struct ScaleThenSubtractPass : IPass
    {
        public static void Run(Job* job, int start, int end, double* sums)
        {
            double* x = job->A, y = job->B;
            double beta = job->Alpha;
            int i = start;
            if (Vector256.IsHardwareAccelerated)
            {
                var b = Vector256.Create(beta);
                for (; i <= end - 4; i += 4)
                    ((Vector256.Load(x + i) * b) - Vector256.Load(y + i)).Store(x + i);
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                var b = Vector128.Create(beta);
                for (; i <= end - 2; i += 2)
                    ((Vector128.Load(x + i) * b) - Vector128.Load(y + i)).Store(x + i);
            }

            for (; i < end; i++)
                x[i] = (x[i] * beta) - y[i];
            (sums[0], sums[1], sums[2]) = (0, 0, 0);
        }
    }
}
