using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NGGen.Bench;

/// <summary>
/// The FMA throughput ceiling: <see cref="Chains"/> independent vector FMA chains per iteration, enough to cover the
/// FMA latency on every FMA port, with no memory traffic. Shared by PeakBenchmarks and NGGen.PeerBench's peak group.
/// </summary>
public static class FmaLoops
{
    /// <summary>Loop iterations per call.</summary>
    public const int Iterations = 1 << 20;

    /// <summary>Independent FMA chains per loop iteration.</summary>
    public const int Chains = 12;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Vector512<T> Run512<T>(Vector512<T> s, Vector512<T> t)
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
    public static Vector256<T> Run256<T>(Vector256<T> s, Vector256<T> t)
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
