using NGGen.Kernels;

namespace NGGen.Arm64Check;

/// <summary>
/// tanh, log1p and expm1 on the Vector128 (AdvSimd) path against glibc, with the bounds the x64 test suite asserts
/// (ActivationsTests, Log1pTests, Expm1Tests): float tanh 5 ulp, double tanh 2 ulp, log1p 3 ulp, expm1 5 ulp. Their
/// ARM64 code differs from x64's in the fused multiply-adds and in the runtime's vector Exp and Log; the sweeps are
/// smaller than the test suite's so that they run in seconds under qemu.
/// </summary>
internal static class ActivationSweeps
{
    /// <summary>Runs every sweep, prints one line each, and returns how many exceeded their bound.</summary>
    public static int Run()
    {
        int failed = 0;
        failed += Report("float tanh", FloatTanh(), 5);
        failed += Report("double tanh", DoubleTanh(), 2);
        failed += Report("double log1p (1 + x exact)", DoubleLog1pExact(), 3);
        failed += Report("double log1p (|x| < 2^-20)", DoubleLog1pSmall(), 3);
        failed += Report("float log1p", FloatLog1p(), 3);
        failed += Report("double expm1", DoubleExpm1(), 5);
        return failed;
    }

    private static int Report(string name, (long Ulp, double At, int Count) worst, int bound)
    {
        Console.WriteLine($"{name}: {worst.Count} points, worst {worst.Ulp} ulp at {worst.At:R} (bound {bound})");
        return worst.Ulp <= bound ? 0 : 1;
    }

    // Every 997th float from +0 to 10 and its negation.
    private static (long, double, int) FloatTanh()
    {
        const uint last = 0x41200000u;
        var x = new List<float>();
        for (uint bits = 0; bits <= last; bits += 997)
        {
            float v = BitConverter.UInt32BitsToSingle(bits);
            x.Add(v);
            x.Add(-v);
        }

        var y = new float[x.Count];
        Activations.Tanh<float>(x.ToArray(), y);
        return Worst(x.Count, i => FloatUlp(y[i], (float)Math.Tanh(x[i])), i => x[i]);
    }

    // Evenly spaced bit patterns from +0 to 20 and their negations: every exponent from subnormals up.
    private static (long, double, int) DoubleTanh()
    {
        const long last = 0x4034000000000000L;
        const int count = 500_000;
        var x = new double[2 * count];
        for (int i = 0; i < count; i++)
        {
            x[2 * i] = BitConverter.Int64BitsToDouble(last / count * i);
            x[(2 * i) + 1] = -x[2 * i];
        }

        var y = new double[x.Length];
        Activations.Tanh<double>(x, y);
        return Worst(x.Length, i => DoubleUlp(y[i], Math.Tanh(x[i])), i => x[i]);
    }

    // Multiples of 2^-14 in (-1, 64): 1 + x is exact, so log(1 + x) is the reference.
    private static (long, double, int) DoubleLog1pExact()
    {
        var x = new double[(65 << 14) - 1];
        for (int i = 0; i < x.Length; i++)
            x[i] = -1 + ((i + 1) / 16384.0);
        var y = new double[x.Length];
        Activations.Log1p<double>(x, y);
        return Worst(x.Length, i => DoubleUlp(y[i], Math.Log(1 + x[i])), i => x[i]);
    }

    // Every exponent below 2^-20, both signs, against x − x²/2 + x³/3.
    private static (long, double, int) DoubleLog1pSmall()
    {
        const long last = 0x3EB0000000000000L;
        const int count = 200_000;
        var x = new double[2 * count];
        for (int i = 0; i < count; i++)
        {
            x[2 * i] = BitConverter.Int64BitsToDouble(last / count * i);
            x[(2 * i) + 1] = -x[2 * i];
        }

        var y = new double[x.Length];
        Activations.Log1p<double>(x, y);
        return Worst(x.Length, i => DoubleUlp(y[i], x[i] + (x[i] * x[i] * ((x[i] / 3) - 0.5))), i => x[i]);
    }

    // The floats of the exact grid above, against log(1 + x) in double rounded once.
    private static (long, double, int) FloatLog1p()
    {
        var x = new float[(65 << 14) - 1];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(-1 + ((i + 1) / 16384.0));
        var y = new float[x.Length];
        Activations.Log1p<float>(x, y);
        return Worst(x.Length, i => FloatUlp(y[i], (float)Math.Log(1 + (double)x[i])), i => x[i]);
    }

    // Evenly over [-40, 40] against 2·e^{x/2}·sinh(x/2) (glibc's exp and sinh).
    private static (long, double, int) DoubleExpm1()
    {
        const int count = 1_000_000;
        var x = new double[count + 1];
        for (int i = 0; i <= count; i++)
            x[i] = -40 + (80.0 * i / count);
        var y = new double[x.Length];
        Activations.Expm1<double>(x, y);
        return Worst(x.Length, i => DoubleUlp(y[i], 2 * Math.Exp(x[i] / 2) * Math.Sinh(x[i] / 2)), i => x[i]);
    }

    private static (long, double, int) Worst(int count, Func<int, long> ulp, Func<int, double> input)
    {
        long worst = 0;
        double at = 0;
        for (int i = 0; i < count; i++)
        {
            long u = ulp(i);
            if (u > worst)
                (worst, at) = (u, input(i));
        }

        return (worst, at, count);
    }

    private static long FloatUlp(float a, float b)
        => a == b ? 0 : float.IsNaN(a) || float.IsNaN(b) || Math.Sign(a) != Math.Sign(b) ? long.MaxValue
            : Math.Abs((long)BitConverter.SingleToInt32Bits(a) - BitConverter.SingleToInt32Bits(b));

    private static long DoubleUlp(double a, double b)
        => a == b ? 0 : double.IsNaN(a) || double.IsNaN(b) || Math.Sign(a) != Math.Sign(b) ? long.MaxValue
            : Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));
}
