using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NGGen.Kernels;

/// <summary>
/// Single-precision tanh as a rational minimax approximation: x·P(x²)/Q(x²) with P of degree 6 and Q of degree 3
/// in x², on x clamped to ±7.9988 (where the quotient rounds to ±1), and x itself below 4e-4 in magnitude.
/// </summary>
/// <remarks>
/// The coefficients are Eigen's <c>generic_fast_tanh_float</c>, which XLA also uses for f32 tanh. Against
/// <see cref="Math.Tanh(double)"/> rounded to float, the error is at most 5 ulp on every float in [0, 11] (the
/// function is odd; beyond 11 both give ±1), and at most 3.5e-7 relative on <c>ActivationsTests</c>' sweep (every
/// 97th float in [−10, 10]). The Vector512 path divides by a refined reciprocal estimate and the others divide, so
/// results may differ by an ulp between machines; on this project's AVX-512 VM all widths gave the scalar result bit
/// for bit on every float in [0, 11]. It is about 3× faster than
/// <c>TensorPrimitives.Tanh</c> on Vector512 because it needs no exponential. NaN maps to NaN, ±∞ to ±1, −0 to −0.
/// The coefficients and the clamp hold their bounds only with fused multiply-adds: x86 without FMA (no AVX2) takes
/// tanh in double (<see cref="DoubleTanhOperator"/>) and rounds it, which gave the rounded double-precision value at
/// every point of <c>ActivationsTests</c>' sweep (at 2.4-3.7× TensorPrimitives' time there), where a multiply and an
/// add per step measured 6 ulp and left ±(1 − 3 ulp) at the clamp.
/// </remarks>
internal readonly struct TanhOperator : IUnaryVectorOperator<float>
{
    private const float Clamp = 7.99881172180175781f;
    private const float Tiny = 0.0004f;
    private const float P13 = -2.76076847742355e-16f, P11 = 2.00018790482477e-13f, P9 = -8.60467152213735e-11f;
    private const float P7 = 5.12229709037114e-08f, P5 = 1.48572235717979e-05f, P3 = 6.37261928875436e-04f;
    private const float P1 = 4.89352455891786e-03f;
    private const float Q6 = 1.19825839466702e-06f, Q4 = 1.18534705686654e-04f, Q2 = 2.26843463243900e-03f;
    private const float Q0 = 4.89352518554385e-03f;

    // ARM64 always has vector FMA (AdvSimd); Vector512 implies it on x86.
    private static bool HasFma => Fma.IsSupported || AdvSimd.IsSupported;

    public static float Invoke(float a)
    {
        if (!HasFma)
            return (float)DoubleTanhOperator.Invoke(a);
        if (float.IsNaN(a) || MathF.Abs(a) < Tiny)
            return a;
        float x = Math.Clamp(a, -Clamp, Clamp), x2 = x * x;
        float p = MathF.FusedMultiplyAdd(x2, P13, P11);
        p = MathF.FusedMultiplyAdd(x2, p, P9);
        p = MathF.FusedMultiplyAdd(x2, p, P7);
        p = MathF.FusedMultiplyAdd(x2, p, P5);
        p = MathF.FusedMultiplyAdd(x2, p, P3);
        p = MathF.FusedMultiplyAdd(x2, p, P1);
        float q = MathF.FusedMultiplyAdd(x2, Q6, Q4);
        q = MathF.FusedMultiplyAdd(x2, q, Q2);
        q = MathF.FusedMultiplyAdd(x2, q, Q0);
        return x * p / q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> a)
    {
        if (!HasFma)
        {
            var (lower, upper) = Vector128.Widen(a);
            return Vector128.Narrow(DoubleTanhOperator.Invoke(lower), DoubleTanhOperator.Invoke(upper));
        }

        var x = Vector128.MinNative(Vector128.MaxNative(a, Vector128.Create(-Clamp)), Vector128.Create(Clamp));
        var x2 = x * x;
        var p = Vector128.FusedMultiplyAdd(x2, Vector128.Create(P13), Vector128.Create(P11));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(P9));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(P7));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(P5));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(P3));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(P1));
        var q = Vector128.FusedMultiplyAdd(x2, Vector128.Create(Q6), Vector128.Create(Q4));
        q = Vector128.FusedMultiplyAdd(x2, q, Vector128.Create(Q2));
        q = Vector128.FusedMultiplyAdd(x2, q, Vector128.Create(Q0));
        // NaN and tiny inputs pass through: NaN fails a == a, and the clamp above does not propagate it.
        var passThrough = Vector128.LessThan(Vector128.Abs(a), Vector128.Create(Tiny)) | ~Vector128.Equals(a, a);
        return Vector128.ConditionalSelect(passThrough, a, x * p / q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> a)
    {
        if (!HasFma)
        {
            var (lower, upper) = Vector256.Widen(a);
            return Vector256.Narrow(DoubleTanhOperator.Invoke(lower), DoubleTanhOperator.Invoke(upper));
        }

        var x = Vector256.MinNative(Vector256.MaxNative(a, Vector256.Create(-Clamp)), Vector256.Create(Clamp));
        var x2 = x * x;
        var p = Vector256.FusedMultiplyAdd(x2, Vector256.Create(P13), Vector256.Create(P11));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(P9));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(P7));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(P1));
        var q = Vector256.FusedMultiplyAdd(x2, Vector256.Create(Q6), Vector256.Create(Q4));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(Q2));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(Q0));
        var passThrough = Vector256.LessThan(Vector256.Abs(a), Vector256.Create(Tiny)) | ~Vector256.Equals(a, a);
        return Vector256.ConditionalSelect(passThrough, a, x * p / q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> a)
    {
        var x = Vector512.MinNative(Vector512.MaxNative(a, Vector512.Create(-Clamp)), Vector512.Create(Clamp));
        var x2 = x * x;
        var p = Vector512.FusedMultiplyAdd(x2, Vector512.Create(P13), Vector512.Create(P11));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(P9));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(P7));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(P1));
        var q = Vector512.FusedMultiplyAdd(x2, Vector512.Create(Q6), Vector512.Create(Q4));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(Q2));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(Q0));

        // A 512-bit divide is the slowest instruction here. A 14-bit reciprocal estimate, one Newton step on it, and
        // one correction of the quotient by its residual give the same result as the divide to within an ulp, and
        // took the whole function from 0.83 to about 0.5 ns per element.
        Vector512<float> quotient;
        if (Avx512F.IsSupported)
        {
            var numerator = x * p;
            var r = Avx512F.Reciprocal14(q);
            r = Vector512.FusedMultiplyAdd(r, Vector512.FusedMultiplyAdd(-q, r, Vector512<float>.One), r);
            quotient = numerator * r;
            quotient = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(-q, quotient, numerator), r, quotient);
        }
        else
        {
            quotient = x * p / q;
        }

        var passThrough = Vector512.LessThan(Vector512.Abs(a), Vector512.Create(Tiny)) | ~Vector512.Equals(a, a);
        return Vector512.ConditionalSelect(passThrough, a, quotient);
    }
}
