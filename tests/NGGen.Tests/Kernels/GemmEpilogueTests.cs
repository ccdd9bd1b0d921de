using System;
using System.Numerics;
using System.Threading;
using NGGen.Kernels;
using NGGen.Tests.Models;

namespace NGGen.Tests.Kernels;

/// <summary>Products that run an epilogue on each finished block of C (<see cref="IGemmEpilogue"/>).</summary>
[Collection(nameof(KernelThreadsCollection))]
public sealed class GemmEpilogueTests
{
    // Records, for each element of C, how often the epilogue saw it and what C held then.
    private ref struct RecordingEpilogue<T> : IGemmEpilogue
        where T : unmanaged
    {
        public Span<T> C;
        public int Ldc;
        public int N;
        public Span<T> Seen;
        public Span<int> Visits;

        public void Run(int rowStart, int rowEnd, int columnStart, int columnEnd)
        {
            for (int i = rowStart; i < rowEnd; i++)
            {
                for (int j = columnStart; j < columnEnd; j++)
                {
                    Interlocked.Increment(ref Visits[(i * N) + j]);
                    Seen[(i * N) + j] = C[(i * Ldc) + j];
                }
            }
        }
    }

    // One shape per path through Gemm: direct (tiny, few columns, few rows), A·Bᵀ dot blocks, packed with the row
    // split, the column split, op(A) and op(B) read in place, several depth blocks, and zero depth.
    public static TheoryData<int, int, int, bool, bool, int> Cases() => new()
    {
        { 3, 5, 7, false, false, 1 }, { 1, 100, 70, true, false, 2 }, { 90, 3, 33, false, true, 2 },
        { 13, 7, 1001, false, true, 2 }, { 257, 129, 300, false, false, 2 }, { 257, 129, 300, true, true, 1 },
        { 100, 1000, 40, false, false, 2 }, { 1028, 32, 70, false, false, 2 }, { 136, 1100, 136, true, false, 2 },
        { 16, 2048, 300, false, false, 2 }, { 20, 64, 513, true, false, 1 }, { 7, 9, 0, false, false, 2 },
        { 200, 150, 400, false, false, 16 }, { 48, 2048, 64, true, false, 16 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Epilogue_SeesEveryElementOnceWithItsFinalValue(int m, int n, int k, bool transA, bool transB, int threads)
    {
        KernelThreadsTests.WithThreads(threads, () =>
        {
            Check<float>(m, n, k, transA, transB, accumulate: false);
            Check<double>(m, n, k, transA, transB, accumulate: true);
        });
    }

    [Fact]
    public void WideModel_GivesTheSameBitsOnOneThreadAsOnTwoAndSixteen()
    {
        // 136 rows over 1100 samples: both layers run their activations as epilogues of products split by columns,
        // and over 600 samples, of products split by rows. On 16 threads the products and loops use some of them.
        foreach (int batch in new[] { 600, 1100 })
        {
            float[] serial = [];
            KernelThreadsTests.WithThreads(1, () => serial = ForwardAndGradient(batch));
            foreach (int threads in new[] { 2, 16 })
            {
                float[] split = [];
                KernelThreadsTests.WithThreads(threads, () => split = ForwardAndGradient(batch));
                Assert.True(serial.AsSpan().SequenceEqual(split), $"batch {batch}: one and {threads} threads differ");
            }
        }
    }

    private static void Check<T>(int m, int n, int k, bool transA, bool transB, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ldc = n + 3;
        var random = new Random((m * 31) + n + k);
        T[] a = Random<T>(random, m * k), b = Random<T>(random, k * n), start = Random<T>(random, m * ldc);
        int lda = transA ? m : k, ldb = transB ? k : n;

        T[] expected = (T[])start.Clone();
        Gemm.Multiply<T>(transA, transB, m, n, k, a, lda, b, ldb, expected, ldc, accumulate);

        T[] c = (T[])start.Clone();
        var seen = new T[m * n];
        var visits = new int[m * n];
        var epilogue = new RecordingEpilogue<T> { C = c, Ldc = ldc, N = n, Seen = seen, Visits = visits };
        Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, epilogue);

        Assert.True(c.AsSpan().SequenceEqual(expected), $"{m}×{n}×{k}: C differs from the product without an epilogue");
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.True(visits[(i * n) + j] == 1, $"{m}×{n}×{k}: C({i}, {j}) seen {visits[(i * n) + j]} times");
                Assert.True(seen[(i * n) + j] == c[(i * ldc) + j], $"{m}×{n}×{k}: C({i}, {j}) seen before it was final");
            }
        }
    }

    private static T[] Random<T>(Random random, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (int i = 0; i < length; i++)
            values[i] = T.CreateTruncating(random.NextDouble() - 0.5);
        return values;
    }

    // The forward output followed by the gradient of Σ output² / 2, through Linearize and the linearized VJP.
    private static float[] ForwardAndGradient(int batch)
    {
        var theta = new float[WideMlp.ParameterCount];
        WideMlp.InitializeParameters<float>(theta, 11);
        var random = new Random(12);
        var x = new float[4 * batch];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)((4 * random.NextDouble()) - 2);
        int workspaceLength = 0;
        foreach (var kind in Enum.GetValues<EvaluationKind>())
            workspaceLength = Math.Max(workspaceLength, WideMlp.WorkspaceLength(0, kind, batch));
        var workspace = new float[workspaceLength];
        var output = new float[3 * batch];
        var linearization = new float[WideMlp.LinearizationLength(0, batch)];
        var gradient = new float[WideMlp.ParameterCount];
        WideMlp.Linearize<float>(0, theta, x, batch, linearization, output, workspace);
        WideMlp.LinearizedVjp<float>(0, theta, x, batch, linearization, output, gradient, workspace);
        return [.. output, .. gradient];
    }
}
