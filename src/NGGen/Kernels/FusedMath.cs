using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary>
/// What generated fused loops compute in registers: a chain of arithmetic and tanh runs as one pass of Vector512 and
/// Vector256 code over a chunk (Vector128 where no wider vectors are accelerated: ARM64), instead of one
/// TensorPrimitives call per operation through temporaries.
/// </summary>
/// <remarks>
/// Each input is read and each result written once per element, with no temporaries and no call per operation. On a
/// 64×2048 tanh epilogue with its tanh′ follower (bias add, tanh, h·h, 1 − h²) one core took 61 µs against 73 µs as four
/// calls per 512-value chunk. The arithmetic is the same IEEE operations in the same order as the call-per-operation
/// form. Tanh is <c>TanhOperator</c> (float) or <c>DoubleTanhOperator</c> in both; the last few values of a chunk go
/// through its Vector256 or scalar form here and through a padded Vector512 call there, which agreed bit for bit on
/// every float in [0, 8) on the AVX-512 VM (the double forms agree by construction: <c>ActivationsTests</c>).
/// </remarks>
public static class FusedMath
{
    /// <summary>Whether a fused loop of arithmetic and tanh on <typeparamref name="T"/> runs in vector registers here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Vectorizes<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
        => (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && Vector128.IsHardwareAccelerated; // wider vectors imply it

    /// <summary>tanh of one value, as <see cref="Activations.Tanh{T}"/> computes it (float and double), <c>T.Tanh</c>
    /// otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tanh<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Unsafe.BitCast<float, T>(TanhOperator.Invoke(Unsafe.BitCast<T, float>(x)));
        if (typeof(T) == typeof(double))
            return Unsafe.BitCast<double, T>(DoubleTanhOperator.Invoke(Unsafe.BitCast<T, double>(x)));
        return T.Tanh(x);
    }

    /// <summary>tanh of a vector (only called where <see cref="Vectorizes{T}"/> holds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Tanh<T>(Vector512<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return TanhOperator.Invoke(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return DoubleTanhOperator.Invoke(x.AsDouble()).As<double, T>();
        throw NotVectorized();
    }

    /// <summary>tanh of a vector (only called where <see cref="Vectorizes{T}"/> holds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Tanh<T>(Vector256<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return TanhOperator.Invoke(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return DoubleTanhOperator.Invoke(x.AsDouble()).As<double, T>();
        throw NotVectorized();
    }

    /// <summary>tanh of a vector (only called where <see cref="Vectorizes{T}"/> holds; 128 bits where no wider
    /// vectors are accelerated: ARM64, or x86 held to 128 bits or without AVX).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Tanh<T>(Vector128<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return TanhOperator.Invoke(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return DoubleTanhOperator.Invoke(x.AsDouble()).As<double, T>();
        throw NotVectorized();
    }

    /// <summary>log(1 + x) of one value, accurate for small x: as <see cref="Activations.Log1p{T}"/> computes it (float
    /// and double), <see cref="Ops.Log1p(double)"/> rounded otherwise (Half, NFloat).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log1p<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Unsafe.BitCast<float, T>(Log1pOperator.Invoke(Unsafe.BitCast<T, float>(x)));
        if (typeof(T) == typeof(double))
            return Unsafe.BitCast<double, T>(Log1pOperator.Invoke(Unsafe.BitCast<T, double>(x)));
        return T.CreateTruncating(Ops.Log1p(double.CreateTruncating(x)));
    }

    /// <summary>e^x − 1 of one value, accurate for small x: as <see cref="Activations.Expm1{T}"/> computes it (float
    /// and double), <see cref="Ops.Expm1(double)"/> rounded otherwise (Half, NFloat).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Expm1<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Unsafe.BitCast<float, T>(Expm1Operator.Invoke(Unsafe.BitCast<T, float>(x)));
        if (typeof(T) == typeof(double))
            return Unsafe.BitCast<double, T>(Expm1Operator.Invoke(Unsafe.BitCast<T, double>(x)));
        return T.CreateTruncating(Ops.Expm1(double.CreateTruncating(x)));
    }

    private static NotSupportedException NotVectorized() => new("The vector tanh of a fused loop is float or double only.");
}
