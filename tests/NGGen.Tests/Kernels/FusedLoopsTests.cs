using System;
using System.Threading;
using NGGen.Kernels;
using NGGen.Tests.Models;

namespace NGGen.Tests.Kernels;

/// <summary>Generated fused elementwise loops split across the kernel threads.</summary>
[Collection(nameof(KernelThreadsCollection))]
public sealed class FusedLoopsTests
{
    private ref struct CountingBody : IFusedLoopBody
    {
        public Span<int> Visits;
        public Span<int> Threads;

        public void Run(int start, int end)
        {
            for (int row = start; row < end; row++)
            {
                Interlocked.Increment(ref Visits[row]);
                Threads[row] = Environment.CurrentManagedThreadId;
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    [InlineData(7, 3)]
    [InlineData(256, 2)]
    public void Run_VisitsEveryRowOnce(int rows, int threads)
    {
        var visits = new int[rows];
        var owners = new int[rows];
        KernelThreadsTests.WithThreads(threads, () =>
        {
            var body = new CountingBody { Visits = visits, Threads = owners };
            FusedLoops.Run(body, rows, elements: 1 << 20);
        });
        Assert.All(visits, v => Assert.Equal(1, v));
        // One thread per part at most; fewer when another test class holds the workers and the loop runs serially.
        int distinct = new System.Collections.Generic.HashSet<int>(owners).Count;
        Assert.InRange(distinct, 1, Math.Min(rows, threads));
    }

    [Fact]
    public void Run_BelowTheSplitSize_StaysOnTheCallingThread()
    {
        var visits = new int[64];
        var owners = new int[64];
        KernelThreadsTests.WithThreads(2, () =>
        {
            var body = new CountingBody { Visits = visits, Threads = owners };
            FusedLoops.Run(body, 64, elements: (1 << 17) - 1);
        });
        Assert.All(owners, id => Assert.Equal(Environment.CurrentManagedThreadId, id));
    }

    [Fact]
    public void GeneratedModel_GivesTheSameBitsOnOneThreadAndOnTwo()
    {
        // Mlp3's 16-wide hidden layer over 16384 samples: fused loops of 262144 elements, above the split size.
        const int batch = 16384;
        var (serial, split) = (Evaluate(1), Evaluate(2));
        for (int i = 0; i < serial.Length; i++)
            Assert.True(serial[i].AsSpan().SequenceEqual(split[i]), $"output {i} differs between one and two threads");

        static float[][] Evaluate(int threads)
        {
            float[][] results = [];
            KernelThreadsTests.WithThreads(threads, () => results = EvaluateMlp3(batch));
            return results;
        }
    }

    [Fact]
    public void GeneratedModel_WithSplitLoops_MatchesTheEagerReference()
    {
        const int batch = 16384;
        float[] theta = Theta(), x = Inputs(batch);
        var output = new float[2 * batch];
        var workspace = new float[Mlp3.WorkspaceLength(0, EvaluationKind.Forward, batch)];
        KernelThreadsTests.WithThreads(2, () => Mlp3.Forward<float>(0, theta, x, batch, output, workspace));

        double[] thetaDouble = Array.ConvertAll(theta, v => (double)v);
        var sample = new double[3];
        var expected = new double[2];
        foreach (int s in new[] { 0, 1, 8191, 16383 })
        {
            for (int i = 0; i < 3; i++)
                sample[i] = x[(i * batch) + s];
            Mlp3.ReferenceForward(0, thetaDouble, sample, expected);
            for (int o = 0; o < 2; o++)
                Assert.Equal(expected[o], output[(o * batch) + s], 1e-5);
        }
    }

    [Fact]
    public void GeneratedModel_WithSplitLoops_AllocatesNothingOnAnyThread()
    {
        const int batch = 16384;
        float[] theta = Theta(), x = Inputs(batch);
        var output = new float[2 * batch];
        var workspace = new float[Mlp3.WorkspaceLength(0, EvaluationKind.Forward, batch)];
        KernelThreadsTests.WithThreads(2, () =>
        {
            Mlp3.Forward<float>(0, theta, x, batch, output, workspace);
            Assert.Equal(0, KernelThreadsTests.LeastProcessAllocations(() => Mlp3.Forward<float>(0, theta, x, batch, output, workspace)));
        });
    }

    // Forward, JVP, VJP, and the linearized pair the solvers run, each into its own array.
    private static float[][] EvaluateMlp3(int batch)
    {
        int p = Mlp3.ParameterCount;
        float[] theta = Theta(), x = Inputs(batch);
        var random = new Random(5);
        float[] tangent = new float[p], cotangent = new float[2 * batch];
        for (int i = 0; i < p; i++)
            tangent[i] = (float)(random.NextDouble() - 0.5);
        for (int i = 0; i < cotangent.Length; i++)
            cotangent[i] = (float)(random.NextDouble() - 0.5);

        int workspaceLength = 0;
        foreach (var kind in Enum.GetValues<EvaluationKind>())
            workspaceLength = Math.Max(workspaceLength, Mlp3.WorkspaceLength(0, kind, batch));
        var workspace = new float[workspaceLength];
        var linearization = new float[Mlp3.LinearizationLength(0, batch)];
        float[] forward = new float[2 * batch], jvp = new float[2 * batch], vjp = new float[p];
        float[] linearOutput = new float[2 * batch], linearVjp = new float[p];
        Mlp3.Forward<float>(0, theta, x, batch, forward, workspace);
        Mlp3.Jvp<float>(0, theta, x, batch, tangent, jvp, workspace);
        Mlp3.Vjp<float>(0, theta, x, batch, cotangent, vjp, workspace);
        Mlp3.Linearize<float>(0, theta, x, batch, linearization, linearOutput, workspace);
        Mlp3.LinearizedVjp<float>(0, theta, x, batch, linearization, cotangent, linearVjp, workspace);
        return [forward, jvp, vjp, linearization, linearVjp];
    }

    private static float[] Theta()
    {
        var theta = new float[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<float>(theta, 3);
        return theta;
    }

    private static float[] Inputs(int batch)
    {
        var random = new Random(4);
        var x = new float[3 * batch];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(4 * random.NextDouble() - 2);
        return x;
    }
}
