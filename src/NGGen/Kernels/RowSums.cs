using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary>The sum of one contiguous row, for the bias gradients' sums over a batch (<see cref="Batched.BatchSum{T}"/>).</summary>
/// <remarks>
/// A bias gradient sums each of a layer's rows over the batch: at width 16 and batch 32, sixteen rows of 32 values.
/// TensorPrimitives.Sum's entry and dispatch cost as much as such a row's adds: the 16-wide MLP's three bias sums took
/// 80-140 ns each of a 2-3 µs VJP. The sum is two accumulators of Vector256 over the row, added and reduced, then the
/// tail in order: a fixed order, so a row's sum does not depend on which thread computes it. Vector256 on AVX-512
/// hardware too: against a second, Vector512 branch (twenty-third session, medians over processes), 16 rows of 32
/// 61-65 ns against 70-79, 1024 rows of 256 on one thread 11.3-11.7 µs against 10.7 (0.5 µs of the 11.5 ms w1024 b256
/// gradient, whose bias sums run on both cores), 1024 rows of 2048 level (memory-bound).
/// </remarks>
internal static class RowSums
{
    /// <summary>Returns row[0] + … + row[length − 1].</summary>
    internal static T Sum<T>(ref T row, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T sum = T.Zero;
        if (Vector256.IsHardwareAccelerated && length >= Vector256<T>.Count)
        {
            int width = Vector256<T>.Count;
            Vector256<T> s0 = Vector256<T>.Zero, s1 = Vector256<T>.Zero;
            for (; i <= length - (2 * width); i += 2 * width)
            {
                s0 += Vector256.LoadUnsafe(ref row, (nuint)i);
                s1 += Vector256.LoadUnsafe(ref row, (nuint)(i + width));
            }

            if (i <= length - width)
            {
                s0 += Vector256.LoadUnsafe(ref row, (nuint)i);
                i += width;
            }

            sum = Vector256.Sum(s0 + s1);
        }
        else if (Vector128.IsHardwareAccelerated && length >= Vector128<T>.Count)
        {
            int width = Vector128<T>.Count;
            Vector128<T> s0 = Vector128<T>.Zero, s1 = Vector128<T>.Zero;
            for (; i <= length - (2 * width); i += 2 * width)
            {
                s0 += Vector128.LoadUnsafe(ref row, (nuint)i);
                s1 += Vector128.LoadUnsafe(ref row, (nuint)(i + width));
            }

            if (i <= length - width)
            {
                s0 += Vector128.LoadUnsafe(ref row, (nuint)i);
                i += width;
            }

            sum = Vector128.Sum(s0 + s1);
        }

        for (; i < length; i++)
        {
            sum += Unsafe.Add(ref row, i);
        }

        return sum;
    }
}
