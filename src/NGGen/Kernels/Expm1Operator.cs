using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary>
/// e^x − 1 accurate for small x, in float and double: u = e^x rounded, then (u − 1) · x / log(u), and x itself where u
/// rounds to 1.
/// </summary>
/// <remarks>
/// Kahan's form, the companion of <see cref="Log1pOperator"/>'s: u − 1 is exact near 1, and x / log(u) undoes the
/// rounding of e^x, so the result keeps x's digits that e^x − 1 computed directly loses (at x = 1e-10 that leaves 7 of
/// 16; below the unit roundoff it gives 0). The exponential and logarithm are the runtime's vectorised <c>Exp</c> and
/// <c>Log</c>; .NET's <c>double.ExpM1</c> and <c>TensorPrimitives.ExpM1</c> compute e^x − 1. Against
/// 2·e^{x/2}·sinh(x/2) and the series the error is at most <see cref="MaxUlp"/> ulp on <c>Expm1Tests</c>' sweeps (float
/// and double, at every vector width and without AVX), reached near |x| ≈ 0.3 where the errors of Exp and Log add up;
/// 2 ulp below 2^-20.
/// Special values: expm1(−∞) = −1, expm1(+∞) = +∞ (and overflow to +∞), NaN stays NaN and −0 stays −0. The scalar
/// forms run the Vector128 code.
/// </remarks>
internal readonly struct Expm1Operator : IUnaryVectorOperator<float>, IUnaryVectorOperator<double>
{
    /// <summary>The largest error measured against references within an ulp, in ulp (float and double).</summary>
    public const int MaxUlp = 5;

    public static float Invoke(float x) => Invoke(Vector128.CreateScalar(x)).ToScalar();

    public static double Invoke(double x) => Invoke(Vector128.CreateScalar(x)).ToScalar();

    // u = 1: x itself; u = +∞ (overflow): +∞ (the quotient would be ∞/∞); u − 1 = −1: −1 (the quotient would be 0/−∞
    // times x, or NaN at x = −∞).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x)
    {
        var u = Vector128.Exp(x);
        var d = u - Vector128<float>.One;
        var r = d * (x / Vector128.Log(u));
        r = Vector128.ConditionalSelect(Vector128.Equals(u, Vector128.Create(float.PositiveInfinity)) | Vector128.Equals(d, Vector128.Create(-1f)), d, r);
        return Vector128.ConditionalSelect(Vector128.Equals(d, Vector128<float>.Zero), x, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        var u = Vector256.Exp(x);
        var d = u - Vector256<float>.One;
        var r = d * (x / Vector256.Log(u));
        r = Vector256.ConditionalSelect(Vector256.Equals(u, Vector256.Create(float.PositiveInfinity)) | Vector256.Equals(d, Vector256.Create(-1f)), d, r);
        return Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero), x, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x)
    {
        var u = Vector512.Exp(x);
        var d = u - Vector512<float>.One;
        var r = d * (x / Vector512.Log(u));
        r = Vector512.ConditionalSelect(Vector512.Equals(u, Vector512.Create(float.PositiveInfinity)) | Vector512.Equals(d, Vector512.Create(-1f)), d, r);
        return Vector512.ConditionalSelect(Vector512.Equals(d, Vector512<float>.Zero), x, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Invoke(Vector128<double> x)
    {
        var u = Vector128.Exp(x);
        var d = u - Vector128<double>.One;
        var r = d * (x / Vector128.Log(u));
        r = Vector128.ConditionalSelect(Vector128.Equals(u, Vector128.Create(double.PositiveInfinity)) | Vector128.Equals(d, Vector128.Create(-1.0)), d, r);
        return Vector128.ConditionalSelect(Vector128.Equals(d, Vector128<double>.Zero), x, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Invoke(Vector256<double> x)
    {
        var u = Vector256.Exp(x);
        var d = u - Vector256<double>.One;
        var r = d * (x / Vector256.Log(u));
        r = Vector256.ConditionalSelect(Vector256.Equals(u, Vector256.Create(double.PositiveInfinity)) | Vector256.Equals(d, Vector256.Create(-1.0)), d, r);
        return Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<double>.Zero), x, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Invoke(Vector512<double> x)
    {
        var u = Vector512.Exp(x);
        var d = u - Vector512<double>.One;
        var r = d * (x / Vector512.Log(u));
        r = Vector512.ConditionalSelect(Vector512.Equals(u, Vector512.Create(double.PositiveInfinity)) | Vector512.Equals(d, Vector512.Create(-1.0)), d, r);
        return Vector512.ConditionalSelect(Vector512.Equals(d, Vector512<double>.Zero), x, r);
    }
}
