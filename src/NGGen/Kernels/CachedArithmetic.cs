using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary>
/// Elementwise updates in place with ordinary stores, for vectors that are read again straight away: the shards'
/// gradient sum, the conjugate-gradient updates.
/// </summary>
/// <remarks>
/// TensorPrimitives switches to non-temporal stores from 256 KiB, which sends the result past the caches to memory. On
/// the 2-core VM one thread added 98,560 floats (394 KiB) in 45 µs that way against 12 µs with this loop, and 1.58
/// million (6.3 MB) in 830 against 472 µs; summing two shards' gradients of the 256-wide MLP that way cost about 5% of
/// the whole sharded gradient (bench/RESULTS.md, "Fifteenth session"). Each element gets the same IEEE operations as
/// the TensorPrimitives call it replaces (a multiply, then an add: not fused), so results are unchanged; spans under
/// 256 KiB go to that call.
/// </remarks>
internal static class CachedArithmetic
{
    // TensorPrimitives' own bound (NonTemporalByteThreshold). Below it its unrolled loops are the faster ones (a
    // 12,480-double axpy: 2.5 against 3.1 µs), so shorter spans go to it.
    private const int NonTemporalBytes = 256 * 1024;

    /// <summary>sum ← sum + other.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Add<T>(Span<T> sum, ReadOnlySpan<T> other)
        where T : unmanaged, INumberBase<T>
    {
        RequireSameLength(sum, other, nameof(other));
        if (Short<T>(sum.Length))
            TensorPrimitives.Add(sum, other, sum);
        else
            Update<T, Plus<T>>(sum, other, T.One);
    }

    /// <summary>y ← α·x + y, the multiply rounded before the add (as <c>TensorPrimitives.MultiplyAdd(x, α, y, y)</c>).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void AddScaled<T>(T alpha, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, INumberBase<T>
    {
        RequireSameLength(y, x, nameof(x));
        if (Short<T>(y.Length))
            TensorPrimitives.MultiplyAdd(x, alpha, y, y);
        else
            Update<T, PlusScaled<T>>(y, x, alpha);
    }

    /// <summary>x ← α·x + addend, the multiply rounded before the add (as <c>TensorPrimitives.MultiplyAdd(x, α, addend, x)</c>).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ScaleAndAdd<T>(T alpha, Span<T> x, ReadOnlySpan<T> addend)
        where T : unmanaged, INumberBase<T>
    {
        RequireSameLength(x, addend, nameof(addend));
        if (Short<T>(x.Length))
            TensorPrimitives.MultiplyAdd(x, alpha, addend, x);
        else
            Update<T, ScaledPlus<T>>(x, addend, alpha);
    }

    /// <summary>x ← α·x.</summary>
    public static void Scale<T>(T alpha, Span<T> x)
        where T : unmanaged, INumberBase<T>
    {
        if (Short<T>(x.Length))
            TensorPrimitives.Multiply(x, alpha, x);
        else
            Update<T, Scaled<T>>(x, x, alpha);
    }

    private static unsafe bool Short<T>(int length)
        where T : unmanaged
        => (long)length * sizeof(T) < NonTemporalBytes;

    private static void RequireSameLength<T>(Span<T> values, ReadOnlySpan<T> other, string name)
    {
        if (values.Length != other.Length)
            throw new ArgumentException($"The spans differ in length ({values.Length} and {other.Length}).", name);
    }

    // values[i] ← TOp(values[i], other[i], α) over the whole span: Vector512 where accelerated, else Vector256, else
    // Vector128 (ARM64), then element by element.
    private static void Update<T, TOp>(Span<T> values, ReadOnlySpan<T> other, T alpha)
        where T : unmanaged, INumberBase<T>
        where TOp : struct, IUpdate<T>
    {
        int n = values.Length, i = 0;
        ref T v = ref MemoryMarshal.GetReference(values);
        ref T o = ref MemoryMarshal.GetReference(other);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            var a = Vector512.Create(alpha);
            for (int width = Vector512<T>.Count; i <= n - width; i += width)
                TOp.Apply(Vector512.LoadUnsafe(ref v, (nuint)i), Vector512.LoadUnsafe(ref o, (nuint)i), a).StoreUnsafe(ref v, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            var a = Vector256.Create(alpha);
            for (int width = Vector256<T>.Count; i <= n - width; i += width)
                TOp.Apply(Vector256.LoadUnsafe(ref v, (nuint)i), Vector256.LoadUnsafe(ref o, (nuint)i), a).StoreUnsafe(ref v, (nuint)i);
        }
        else if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
        {
            var a = Vector128.Create(alpha);
            for (int width = Vector128<T>.Count; i <= n - width; i += width)
                TOp.Apply(Vector128.LoadUnsafe(ref v, (nuint)i), Vector128.LoadUnsafe(ref o, (nuint)i), a).StoreUnsafe(ref v, (nuint)i);
        }

        for (; i < n; i++)
            Unsafe.Add(ref v, i) = TOp.Apply(Unsafe.Add(ref v, i), Unsafe.Add(ref o, i), alpha);
    }

    // One update, written once for scalars and each vector width so they all agree operation for operation.
    private interface IUpdate<T>
        where T : unmanaged, INumberBase<T>
    {
        static abstract T Apply(T value, T other, T alpha);

        static abstract Vector512<T> Apply(Vector512<T> value, Vector512<T> other, Vector512<T> alpha);

        static abstract Vector256<T> Apply(Vector256<T> value, Vector256<T> other, Vector256<T> alpha);

        static abstract Vector128<T> Apply(Vector128<T> value, Vector128<T> other, Vector128<T> alpha);
    }

    private readonly struct Plus<T> : IUpdate<T>
        where T : unmanaged, INumberBase<T>
    {
        public static T Apply(T value, T other, T alpha) => value + other;

        public static Vector512<T> Apply(Vector512<T> value, Vector512<T> other, Vector512<T> alpha) => value + other;

        public static Vector256<T> Apply(Vector256<T> value, Vector256<T> other, Vector256<T> alpha) => value + other;

        public static Vector128<T> Apply(Vector128<T> value, Vector128<T> other, Vector128<T> alpha) => value + other;
    }

    private readonly struct PlusScaled<T> : IUpdate<T>
        where T : unmanaged, INumberBase<T>
    {
        public static T Apply(T value, T other, T alpha) => value + (other * alpha);

        public static Vector512<T> Apply(Vector512<T> value, Vector512<T> other, Vector512<T> alpha) => value + (other * alpha);

        public static Vector256<T> Apply(Vector256<T> value, Vector256<T> other, Vector256<T> alpha) => value + (other * alpha);

        public static Vector128<T> Apply(Vector128<T> value, Vector128<T> other, Vector128<T> alpha) => value + (other * alpha);
    }

    private readonly struct ScaledPlus<T> : IUpdate<T>
        where T : unmanaged, INumberBase<T>
    {
        public static T Apply(T value, T other, T alpha) => (value * alpha) + other;

        public static Vector512<T> Apply(Vector512<T> value, Vector512<T> other, Vector512<T> alpha) => (value * alpha) + other;

        public static Vector256<T> Apply(Vector256<T> value, Vector256<T> other, Vector256<T> alpha) => (value * alpha) + other;

        public static Vector128<T> Apply(Vector128<T> value, Vector128<T> other, Vector128<T> alpha) => (value * alpha) + other;
    }

    // `other` is the span itself here and is not used.
    private readonly struct Scaled<T> : IUpdate<T>
        where T : unmanaged, INumberBase<T>
    {
        public static T Apply(T value, T other, T alpha) => value * alpha;

        public static Vector512<T> Apply(Vector512<T> value, Vector512<T> other, Vector512<T> alpha) => value * alpha;

        public static Vector256<T> Apply(Vector256<T> value, Vector256<T> other, Vector256<T> alpha) => value * alpha;

        public static Vector128<T> Apply(Vector128<T> value, Vector128<T> other, Vector128<T> alpha) => value * alpha;
    }
}
