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

    private static unsafe bool Short<T>(int length)
        where T : unmanaged
        => (long)length * sizeof(T) < NonTemporalBytes;

    /// <summary>sum ← sum + other.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Add<T>(Span<T> sum, ReadOnlySpan<T> other)
        where T : unmanaged, INumberBase<T>
    {
        if (Short<T>(sum.Length) && sum.Length == other.Length)
            TensorPrimitives.Add(sum, other, sum);
        else
            AddScaled(T.One, other, sum, scale: false);
    }

    /// <summary>y ← α·x + y, the multiply rounded before the add (as <c>TensorPrimitives.MultiplyAdd(x, α, y, y)</c>).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void AddScaled<T>(T alpha, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, INumberBase<T>
    {
        if (Short<T>(y.Length) && x.Length == y.Length)
            TensorPrimitives.MultiplyAdd(x, alpha, y, y);
        else
            AddScaled(alpha, x, y, scale: true);
    }

    /// <summary>x ← α·x + addend, the multiply rounded before the add (as <c>TensorPrimitives.MultiplyAdd(x, α, addend, x)</c>).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ScaleAndAdd<T>(T alpha, Span<T> x, ReadOnlySpan<T> addend)
        where T : unmanaged, INumberBase<T>
    {
        if (x.Length != addend.Length)
            throw new ArgumentException($"The spans differ in length ({x.Length} and {addend.Length}).", nameof(addend));
        if (Short<T>(x.Length))
        {
            TensorPrimitives.MultiplyAdd(x, alpha, addend, x);
            return;
        }

        int n = x.Length, i = 0;
        ref T s = ref MemoryMarshal.GetReference(x);
        ref T o = ref MemoryMarshal.GetReference(addend);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            var a = Vector512.Create(alpha);
            for (int width = Vector512<T>.Count; i <= n - width; i += width)
                ((Vector512.LoadUnsafe(ref s, (nuint)i) * a) + Vector512.LoadUnsafe(ref o, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            var a = Vector256.Create(alpha);
            for (int width = Vector256<T>.Count; i <= n - width; i += width)
                ((Vector256.LoadUnsafe(ref s, (nuint)i) * a) + Vector256.LoadUnsafe(ref o, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
        }

        for (; i < n; i++)
            Unsafe.Add(ref s, i) = (Unsafe.Add(ref s, i) * alpha) + Unsafe.Add(ref o, i);
    }

    /// <summary>x ← α·x.</summary>
    public static void Scale<T>(T alpha, Span<T> x)
        where T : unmanaged, INumberBase<T>
    {
        if (Short<T>(x.Length))
        {
            TensorPrimitives.Multiply(x, alpha, x);
            return;
        }

        int n = x.Length, i = 0;
        ref T s = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            var a = Vector512.Create(alpha);
            for (int width = Vector512<T>.Count; i <= n - width; i += width)
                (a * Vector512.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            var a = Vector256.Create(alpha);
            for (int width = Vector256<T>.Count; i <= n - width; i += width)
                (a * Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
        }

        for (; i < n; i++)
            Unsafe.Add(ref s, i) *= alpha;
    }

    // y ← α·x + y, or y ← x + y when scale is false (no multiply, so Add matches TensorPrimitives.Add exactly).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled<T>(T alpha, ReadOnlySpan<T> x, Span<T> y, bool scale)
        where T : unmanaged, INumberBase<T>
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"The spans differ in length ({y.Length} and {x.Length}).", nameof(x));

        int n = y.Length, i = 0;
        ref T s = ref MemoryMarshal.GetReference(y);
        ref T o = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            var a = Vector512.Create(alpha);
            for (int width = Vector512<T>.Count; i <= n - width; i += width)
            {
                var term = Vector512.LoadUnsafe(ref o, (nuint)i);
                (Vector512.LoadUnsafe(ref s, (nuint)i) + (scale ? term * a : term)).StoreUnsafe(ref s, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            var a = Vector256.Create(alpha);
            for (int width = Vector256<T>.Count; i <= n - width; i += width)
            {
                var term = Vector256.LoadUnsafe(ref o, (nuint)i);
                (Vector256.LoadUnsafe(ref s, (nuint)i) + (scale ? term * a : term)).StoreUnsafe(ref s, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            T term = Unsafe.Add(ref o, i);
            Unsafe.Add(ref s, i) += scale ? term * alpha : term;
        }
    }
}
