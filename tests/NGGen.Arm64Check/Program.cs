using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using NGGen.Kernels;

// Products around the tile edges (MR = 6, NR = 8 floats or 4 doubles on 128-bit vectors), over the packing and
// read-in-place cut-offs, on one thread and split over two, each against a sum in double; then tanh and log1p against
// glibc (ActivationSweeps). Exit code 0 only if every product agrees, every sweep is within its bound and the
// Vector128 kernel is the one that ran; 1 otherwise.
// `--bench [threads]` instead times a few float products (median of at least 1 s each) and prints GFLOP/s: run it on
// an ARM board, or on x86 with DOTNET_PreferredVectorBitWidth=128 (bench/RESULTS.md, twenty-fifth session).
Console.WriteLine($"ARM64 AdvSimd: {AdvSimd.Arm64.IsSupported}; Vector128 accelerated: {Vector128.IsHardwareAccelerated}; Vector128 GEMM kernel: {GemmMicroKernels.Use128}");
if (!GemmMicroKernels.Use128)
{
    Console.WriteLine("the Vector128 micro-kernel is not in use here, so this check would not test it");
    return 1;
}

if (args.Length > 0 && args[0] == "--bench")
{
    Speed(args.Length > 1 ? int.Parse(args[1]) : 1);
    return 0;
}

(int M, int N, int K)[] shapes =
[
    (1, 1, 1), (3, 5, 7), (6, 8, 9), (7, 17, 15), (12, 16, 31), (13, 33, 32), (31, 31, 31), (64, 64, 64),
    (100, 1, 70), (70, 3, 45), (257, 129, 300), (40, 40, 1100), (20, 4133, 10), (96, 33, 20), (103, 40, 64),
    (130, 129, 260), (300, 64, 600),
];
int wrong = 0, products = 0;
foreach (int threads in new[] { 1, 2 })
{
    KernelThreads.ThreadCount = threads;
    foreach (var (m, n, k) in shapes)
    {
        for (int flags = 0; flags < 8; flags++)
        {
            bool transA = (flags & 1) != 0, transB = (flags & 2) != 0, accumulate = (flags & 4) != 0;
            wrong += Agrees<float>(m, n, k, transA, transB, accumulate, 1e-5) ? 0 : 1;
            wrong += Agrees<double>(m, n, k, transA, transB, accumulate, 1e-13) ? 0 : 1;
            products += 2;
        }
    }
}

Console.WriteLine($"{products} products, {wrong} wrong");
int sweepsFailed = NGGen.Arm64Check.ActivationSweeps.Run();
return wrong == 0 && sweepsFailed == 0 ? 0 : 1;

// Error relative to the sum of the terms' magnitudes (what rounding in any order is bounded by).
static bool Agrees<T>(int m, int n, int k, bool transA, bool transB, bool accumulate, double tolerance)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    var random = new Random((m * 7919) + (n * 31) + k);
    T[] a = Fill<T>(m * k, random), b = Fill<T>(k * n, random), c = Fill<T>(m * n, random);
    var before = (T[])c.Clone();
    Gemm.Multiply<T>(transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, c, n, accumulate);
    double worst = 0;
    for (int i = 0; i < m; i++)
    {
        for (int j = 0; j < n; j++)
        {
            double sum = accumulate ? double.CreateTruncating(before[(i * n) + j]) : 0, magnitude = Math.Abs(sum);
            for (int p = 0; p < k; p++)
            {
                double term = double.CreateTruncating(transA ? a[(p * m) + i] : a[(i * k) + p])
                    * double.CreateTruncating(transB ? b[(j * k) + p] : b[(p * n) + j]);
                sum += term;
                magnitude += Math.Abs(term);
            }

            worst = Math.Max(worst, Math.Abs(double.CreateTruncating(c[(i * n) + j]) - sum) / (magnitude + double.Epsilon));
        }
    }

    if (worst > tolerance)
        Console.WriteLine($"{typeof(T).Name} {m}×{n}×{k} transA={transA} transB={transB} accumulate={accumulate}: relative error {worst:E2} > {tolerance:E0}");
    return worst <= tolerance;
}

static T[] Fill<T>(int length, Random random)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    var values = new T[length];
    for (int i = 0; i < length; i++)
        values[i] = T.CreateTruncating((2 * random.NextDouble()) - 1);
    return values;
}

static void Speed(int threads)
{
    KernelThreads.ThreadCount = threads;
    foreach (var (m, n, k, transB) in new[] { (256, 256, 256, false), (1024, 256, 1024, false), (64, 2048, 64, false), (256, 256, 2048, true), (1024, 2048, 1024, false) })
    {
        // On cache-line boundaries, as the library's own buffers are (AlignedMemory), and as the recorded figures were.
        var random = new Random(1);
        Memory<float> a = NGGen.AlignedMemory.Allocate<float>(m * k), b = NGGen.AlignedMemory.Allocate<float>(k * n);
        Memory<float> c = NGGen.AlignedMemory.Allocate<float>(m * n);
        Fill<float>(m * k, random).CopyTo(a);
        Fill<float>(k * n, random).CopyTo(b);
        void Product() => Gemm.Multiply<float>(false, transB, m, n, k, a.Span, k, b.Span, transB ? k : n, c.Span, n, false);
        Product();
        var times = new List<double>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 1 || times.Count < 3)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            Product();
            times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        double ms = times[times.Count / 2];
        Console.WriteLine($"{m}×{n}×{k}{(transB ? " (op(B) = Bᵀ)" : "")}, {threads} thread(s): {ms:F3} ms, {2.0 * m * n * k / ms / 1e6:F1} GFLOP/s");
    }
}
