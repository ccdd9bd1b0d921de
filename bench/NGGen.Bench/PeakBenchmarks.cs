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
    public const int Iterations = 1 << 20;

    /// <summary>Independent FMA chains per loop iteration.</summary>
    public const int Chains = 12;

    /// <summary>Vector512 single-precision FMAs.</summary>
    /// <returns>A value derived from the accumulators, so the loop cannot be removed.</returns>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public float FmaVector512Float() => Run512(Vector512.Create(0.999999f), Vector512.Create(1e-7f)).ToScalar();

    /// <summary>Vector512 double-precision FMAs.</summary>
    /// <returns>A value derived from the accumulators, so the loop cannot be removed.</returns>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public double FmaVector512Double() => Run512(Vector512.Create(0.999999), Vector512.Create(1e-7)).ToScalar();

    /// <summary>Vector256 single-precision FMAs (the ceiling on AVX2-only machines).</summary>
    /// <returns>A value derived from the accumulators, so the loop cannot be removed.</returns>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public float FmaVector256Float() => Run256(Vector256.Create(0.999999f), Vector256.Create(1e-7f)).ToScalar();

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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<T> Run512<T>(Vector512<T> s, Vector512<T> t)
        where T : unmanaged
    {
        Vector512<T> a0 = s, a1 = s, a2 = s, a3 = s, a4 = s, a5 = s;
        Vector512<T> a6 = s, a7 = s, a8 = s, a9 = s, a10 = s, a11 = s;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Fma(a0, s, t);
            a1 = Fma(a1, s, t);
            a2 = Fma(a2, s, t);
            a3 = Fma(a3, s, t);
            a4 = Fma(a4, s, t);
            a5 = Fma(a5, s, t);
            a6 = Fma(a6, s, t);
            a7 = Fma(a7, s, t);
            a8 = Fma(a8, s, t);
            a9 = Fma(a9, s, t);
            a10 = Fma(a10, s, t);
            a11 = Fma(a11, s, t);
        }

        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<T> Run256<T>(Vector256<T> s, Vector256<T> t)
        where T : unmanaged
    {
        Vector256<T> a0 = s, a1 = s, a2 = s, a3 = s, a4 = s, a5 = s;
        Vector256<T> a6 = s, a7 = s, a8 = s, a9 = s, a10 = s, a11 = s;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Fma(a0, s, t);
            a1 = Fma(a1, s, t);
            a2 = Fma(a2, s, t);
            a3 = Fma(a3, s, t);
            a4 = Fma(a4, s, t);
            a5 = Fma(a5, s, t);
            a6 = Fma(a6, s, t);
            a7 = Fma(a7, s, t);
            a8 = Fma(a8, s, t);
            a9 = Fma(a9, s, t);
            a10 = Fma(a10, s, t);
            a11 = Fma(a11, s, t);
        }

        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> z)
        where T : unmanaged
        => typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> z)
        where T : unmanaged
        => typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
}
