using System;

namespace NGGen.Tests.Kernels;

/// <summary>Distances in units in the last place between two values of one type (the sign-magnitude bit patterns are
/// mapped onto one ordered integer line, so −0 and +0 meet and values of opposite signs count every value between),
/// and the sweeps the accuracy tests run.</summary>
internal static class Ulps
{
    public static int Distance(float a, float b)
    {
        if (a == b)
            return 0;
        // Map the sign-magnitude bit patterns onto one ordered integer line so -0 and +0 meet.
        static long Ordered(float v)
        {
            int bits = BitConverter.SingleToInt32Bits(v);
            return bits < 0 ? int.MinValue - (long)bits : bits;
        }

        return (int)Math.Min(int.MaxValue, Math.Abs(Ordered(a) - Ordered(b)));
    }

    public static long Distance(double a, double b)
    {
        if (a == b)
            return 0;
        static Int128 Ordered(double v)
        {
            long bits = BitConverter.DoubleToInt64Bits(v);
            return bits < 0 ? long.MinValue - (Int128)bits : bits;
        }

        return (long)Int128.Min(long.MaxValue, Int128.Abs(Ordered(a) - Ordered(b)));
    }

    /// <summary>Evenly spaced bit patterns from +0 up to <paramref name="last"/> and their negations, interleaved:
    /// 2 × <paramref name="count"/> doubles covering every exponent from the subnormals up.</summary>
    public static double[] EveryExponentUpTo(double last, int count)
    {
        long lastBits = BitConverter.DoubleToInt64Bits(last);
        var x = new double[2 * count];
        for (int i = 0; i < count; i++)
        {
            x[2 * i] = BitConverter.Int64BitsToDouble(lastBits / count * i);
            x[(2 * i) + 1] = -x[2 * i];
        }

        return x;
    }
}
