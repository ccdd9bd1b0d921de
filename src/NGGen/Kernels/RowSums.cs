using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary>The sum of one contiguous row, for the bias gradients' sums over a batch (<see cref="Batched.BatchSum{T}"/>).</summary>
/// <remarks>
/// A bias gradient sums each of a layer's rows over the batch: at width 16 and batch 32, sixteen rows of 32 values.
/// TensorPrimitives.Sum's entry and dispatch cost as much as such a row's adds: the 16-wide MLP's three bias sums took
/// 80-140 ns each of a 2-3 µs VJP. The sum is two accumulators of vectors over the row, added and reduced, then the
/// tail in order: a fixed order, so a row's sum does not depend on which thread computes it.
/// </remarks>
internal static class RowSums
{
    /// <summary>Returns row[0] + … + row[length − 1].</summary>
    internal static T Sum<T>(ref T row, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T sum = T.Zero;
        if (Vector512.IsHardwareAccelerated && length >= Vector512<T>.Count)
        {
            int width = Vector512<T>.Count;
            Vector512<T> s0 = Vector512<T>.Zero, s1 = Vector512<T>.Zero;
            for (; i <= length - (2 * width); i += 2 * width)
            {
                s0 += Vector512.LoadUnsafe(ref row, (nuint)i);
                s1 += Vector512.LoadUnsafe(ref row, (nuint)(i + width));
            }

            if (i <= length - width)
            {
                s0 += Vector512.LoadUnsafe(ref row, (nuint)i);
                i += width;
            }

            sum = Vector512.Sum(s0 + s1);
        }
        else if (Vector256.IsHardwareAccelerated && length >= Vector256<T>.Count)
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

        for (; i < length; i++)
        {
            sum += Unsafe.Add(ref row, i);
        }

        return sum;
    }
}
