using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary>
/// log(1 + x) accurate for small x, in float and double: w = 1 + x rounded, then log(w) · x / (w − 1), and x itself
/// where w rounds to 1.
/// </summary>
/// <remarks>
/// This is Kahan's form (Goldberg, "What every computer scientist should know about floating-point arithmetic", 1991,
/// theorem 4): the factor x / (w − 1) undoes the rounding of 1 + x, so the result keeps x's digits that log(1 + x)
/// computed directly loses (for |x| below the unit roundoff that gives exactly 0). The logarithm is the runtime's
/// vectorised <c>Log</c>. .NET has no accurate log1p of its own: <c>double.LogP1</c> and <c>TensorPrimitives.LogP1</c>
/// compute log(x + 1). Against references within an ulp the error is at most <see cref="MaxUlp"/> ulp on
/// <c>Log1pTests</c>' sweeps (float and double, at every vector width and without AVX); where 1 + x is exact the
/// result is the vector <c>Log</c> of it, which is itself up to 3 ulp from glibc's log. Special values:
/// log1p(−1) = −∞, log1p(+∞) = +∞, NaN below −1 and for NaN, and −0 stays −0. The scalar forms run the Vector128 code, so a value's result does not depend on where
/// it sits in a span.
/// </remarks>
internal readonly struct Log1pOperator : IUnaryVectorOperator<float>, IUnaryVectorOperator<double>
{
    /// <summary>The largest error measured against references within an ulp, in ulp (float and double).</summary>
    public const int MaxUlp = 3;

    public static float Invoke(float x) => Invoke(Vector128.CreateScalar(x)).ToScalar();

    public static double Invoke(double x) => Invoke(Vector128.CreateScalar(x)).ToScalar();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x)
    {
        var w = x + Vector128<float>.One;
        var d = w - Vector128<float>.One;
        var keep = Vector128.Equals(d, Vector128<float>.Zero) | Vector128.Equals(x, Vector128.Create(float.PositiveInfinity));
        return Vector128.ConditionalSelect(keep, x, Vector128.Log(w) * (x / d));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        var w = x + Vector256<float>.One;
        var d = w - Vector256<float>.One;
        var keep = Vector256.Equals(d, Vector256<float>.Zero) | Vector256.Equals(x, Vector256.Create(float.PositiveInfinity));
        return Vector256.ConditionalSelect(keep, x, Vector256.Log(w) * (x / d));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x)
    {
        var w = x + Vector512<float>.One;
        var d = w - Vector512<float>.One;
        var keep = Vector512.Equals(d, Vector512<float>.Zero) | Vector512.Equals(x, Vector512.Create(float.PositiveInfinity));
        return Vector512.ConditionalSelect(keep, x, Vector512.Log(w) * (x / d));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Invoke(Vector128<double> x)
    {
        var w = x + Vector128<double>.One;
        var d = w - Vector128<double>.One;
        var keep = Vector128.Equals(d, Vector128<double>.Zero) | Vector128.Equals(x, Vector128.Create(double.PositiveInfinity));
        return Vector128.ConditionalSelect(keep, x, Vector128.Log(w) * (x / d));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Invoke(Vector256<double> x)
    {
        var w = x + Vector256<double>.One;
        var d = w - Vector256<double>.One;
        var keep = Vector256.Equals(d, Vector256<double>.Zero) | Vector256.Equals(x, Vector256.Create(double.PositiveInfinity));
        return Vector256.ConditionalSelect(keep, x, Vector256.Log(w) * (x / d));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Invoke(Vector512<double> x)
    {
        var w = x + Vector512<double>.One;
        var d = w - Vector512<double>.One;
        var keep = Vector512.Equals(d, Vector512<double>.Zero) | Vector512.Equals(x, Vector512.Create(double.PositiveInfinity));
        return Vector512.ConditionalSelect(keep, x, Vector512.Log(w) * (x / d));
    }
}
