using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NGGen.Kernels;

/// <summary>
/// What generated fused loops compute in registers: a chain of arithmetic (and float tanh) runs as one pass of
/// Vector512 and Vector256 code over a chunk (Vector128 where no wider vectors are accelerated: ARM64), instead of one
/// TensorPrimitives call per operation through temporaries.
/// </summary>
/// <remarks>
/// Each input is read and each result written once per element, with no temporaries and no call per operation. On a
/// 64×2048 tanh epilogue with its tanh′ follower (bias add, tanh, h·h, 1 − h²) one core took 61 µs against 73 µs as four
/// calls per 512-value chunk. The arithmetic is the same IEEE operations in the same order as the call-per-operation
/// form. Tanh is <c>TanhOperator</c> in both; the last few values of a chunk go through its Vector256 or scalar form
/// here and through a padded Vector512 call there, which agreed bit for bit on every float in [0, 8) on the AVX-512 VM.
/// </remarks>
public static class FusedMath
{
    /// <summary>Whether a fused loop of arithmetic on <typeparamref name="T"/> runs in vector registers here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Vectorizes<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
        => (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && Vector128.IsHardwareAccelerated; // wider vectors imply it

    /// <summary>Whether a fused loop with tanh runs in vector registers here: float, with vector FMA (double keeps
    /// TensorPrimitives' tanh, which has no register form to call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool VectorizesTanh<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float)
            && (Vector512.IsHardwareAccelerated
                || (Vector256.IsHardwareAccelerated && Fma.IsSupported)
                || (Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.Arm64.IsSupported)));

    /// <summary>tanh of one value: NGGen's float approximation, <c>T.Tanh</c> otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tanh<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Unsafe.BitCast<float, T>(TanhOperator.Invoke(Unsafe.BitCast<T, float>(x))) : T.Tanh(x);

    /// <summary>tanh of a vector of floats (only called where <see cref="VectorizesTanh{T}"/> holds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Tanh<T>(Vector512<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? TanhOperator.Invoke(x.AsSingle()).As<float, T>() : throw NotFloat();

    /// <summary>tanh of a vector of floats (only called where <see cref="VectorizesTanh{T}"/> holds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Tanh<T>(Vector256<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? TanhOperator.Invoke(x.AsSingle()).As<float, T>() : throw NotFloat();

    /// <summary>tanh of a vector of floats (only called where <see cref="VectorizesTanh{T}"/> holds: ARM64, or x86 held
    /// to 128 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Tanh<T>(Vector128<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? TanhOperator.Invoke(x.AsSingle()).As<float, T>() : throw NotFloat();

    private static NotSupportedException NotFloat() => new("The vector tanh of a fused loop is single precision only.");
}
