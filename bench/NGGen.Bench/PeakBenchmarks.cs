using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace NGGen.Bench;

/// <summary>
/// Single-core FMA throughput ceiling: a loop of 12 independent vector FMA chains, enough to cover the FMA latency
/// on every FMA port, with no memory traffic. GEMM results are best read as a fraction of these.
/// </summary>
[Config(typeof(FlopsConfig))]
public class PeakBenchmarks
{
    /// <summary>Loop iterations per benchmark invocation; BenchmarkDotNet reports time per iteration.</summary>
    public const int Iterations = FmaLoops.Iterations;

    /// <summary>Independent FMA chains per loop iteration.</summary>
    public const int Chains = FmaLoops.Chains;

    /// <summary>Vector512 single-precision FMAs.</summary>
    /// <returns>A value derived from the accumulators, so the loop cannot be removed.</returns>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public float FmaVector512Float() => FmaLoops.Run512(Vector512.Create(0.999999f), Vector512.Create(1e-7f)).ToScalar();

    /// <summary>Vector512 double-precision FMAs.</summary>
    /// <returns>A value derived from the accumulators, so the loop cannot be removed.</returns>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public double FmaVector512Double() => FmaLoops.Run512(Vector512.Create(0.999999), Vector512.Create(1e-7)).ToScalar();

    /// <summary>Vector256 single-precision FMAs (the ceiling on AVX2-only machines).</summary>
    /// <returns>A value derived from the accumulators, so the loop cannot be removed.</returns>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public float FmaVector256Float() => FmaLoops.Run256(Vector256.Create(0.999999f), Vector256.Create(1e-7f)).ToScalar();

    /// <summary>Floating-point operations per loop iteration of a benchmark (2 per FMA lane).</summary>
    /// <param name="method">Benchmark method name.</param>
    /// <returns>The count, or 0 for an unknown method.</returns>
    public static double FlopsPerIteration(string method) => method switch
    {
        nameof(FmaVector512Float) => Chains * Vector512<float>.Count * 2.0,
        nameof(FmaVector512Double) => Chains * Vector512<double>.Count * 2.0,
        nameof(FmaVector256Float) => Chains * Vector256<float>.Count * 2.0,
        _ => 0,
    };
}
