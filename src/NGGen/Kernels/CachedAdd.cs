using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary><c>sum += other</c> with ordinary stores, for results that are read again straight away.</summary>
/// <remarks>
/// <c>TensorPrimitives.Add</c> switches to non-temporal stores from 256 KiB, which sends the result past the caches to
/// memory. Summing two shards' gradients of the 256-wide MLP (394 KiB per thread) took 55-57 µs that way, about 5% of the
/// whole sharded gradient; with this loop the gradient went 1.06 → 1.00 ms (bench/RESULTS.md, "Fifteenth session").
/// </remarks>
internal static class CachedAdd
{
    /// <summary>Adds <paramref name="other"/> to <paramref name="sum"/> element by element.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Add<T>(Span<T> sum, ReadOnlySpan<T> other)
        where T : unmanaged, INumberBase<T>
    {
        if (sum.Length != other.Length)
            throw new ArgumentException($"The spans differ in length ({sum.Length} and {other.Length}).", nameof(other));

        int n = sum.Length, i = 0;
        ref T s = ref MemoryMarshal.GetReference(sum);
        ref T o = ref MemoryMarshal.GetReference(other);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int width = Vector512<T>.Count;
            for (; i <= n - (2 * width); i += 2 * width)
            {
                (Vector512.LoadUnsafe(ref s, (nuint)i) + Vector512.LoadUnsafe(ref o, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
                (Vector512.LoadUnsafe(ref s, (nuint)(i + width)) + Vector512.LoadUnsafe(ref o, (nuint)(i + width)))
                    .StoreUnsafe(ref s, (nuint)(i + width));
            }
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int width = Vector256<T>.Count;
            for (; i <= n - width; i += width)
                (Vector256.LoadUnsafe(ref s, (nuint)i) + Vector256.LoadUnsafe(ref o, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
        }

        for (; i < n; i++)
            Unsafe.Add(ref s, i) += Unsafe.Add(ref o, i);
    }
}
