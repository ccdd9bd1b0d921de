using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NGGen.Kernels;

/// <summary>An elementwise single-precision function at every vector width (TensorPrimitives' operator shape).</summary>
internal interface IUnaryFloatOperator
{
    static abstract float Invoke(float x);

    static abstract Vector128<float> Invoke(Vector128<float> x);

    static abstract Vector256<float> Invoke(Vector256<float> x);

    static abstract Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>Applies an <see cref="IUnaryFloatOperator"/> to a span with the widest vectors the hardware runs.</summary>
internal static unsafe class UnaryFloatKernel
{
    /// <summary>
    /// Whether a vector path with hardware FMA runs here. Without one, the operators' fused multiply-adds are
    /// computed in software and TensorPrimitives' own functions are faster.
    /// </summary>
    public static bool IsAccelerated =>
        Vector512.IsHardwareAccelerated
        || (Vector256.IsHardwareAccelerated && Fma.IsSupported)
        || (Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported));

    /// <summary>y[i] = op(x[i]). The spans must have equal length; they may be the same span.</summary>
    /// <remarks>
    /// The last partial vector is computed through a padded copy, so every element goes through the same vector
    /// code and a value's result does not depend on where it sits in the span.
    /// </remarks>
    public static void Apply<TOperator>(ReadOnlySpan<float> x, Span<float> y)
        where TOperator : IUnaryFloatOperator
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"The destination holds {y.Length} elements but the source holds {x.Length}.", nameof(y));

        fixed (float* px = x)
        fixed (float* py = y)
        {
            int n = x.Length;
            if (Vector512.IsHardwareAccelerated)
            {
                Run512<TOperator>(px, py, n);
            }
            else if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
            {
                Run256<TOperator>(px, py, n);
            }
            else if (Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported))
            {
                Run128<TOperator>(px, py, n);
            }
            else
            {
                // Only reached when the caller ignored IsAccelerated: correct, but the FMAs run in software.
                for (int i = 0; i < n; i++)
                    py[i] = TOperator.Invoke(px[i]);
            }
        }
    }

    private static void Run512<TOperator>(float* x, float* y, int n)
        where TOperator : IUnaryFloatOperator
    {
        int i = 0;
        for (; i + Vector512<float>.Count <= n; i += Vector512<float>.Count)
            TOperator.Invoke(Vector512.Load(x + i)).Store(y + i);
        if (i < n)
        {
            float* padded = stackalloc float[Vector512<float>.Count];
            Tail(x + i, n - i, padded, Vector512<float>.Count);
            TOperator.Invoke(Vector512.Load(padded)).Store(padded);
            new ReadOnlySpan<float>(padded, n - i).CopyTo(new Span<float>(y + i, n - i));
        }
    }

    private static void Run256<TOperator>(float* x, float* y, int n)
        where TOperator : IUnaryFloatOperator
    {
        int i = 0;
        for (; i + Vector256<float>.Count <= n; i += Vector256<float>.Count)
            TOperator.Invoke(Vector256.Load(x + i)).Store(y + i);
        if (i < n)
        {
            float* padded = stackalloc float[Vector256<float>.Count];
            Tail(x + i, n - i, padded, Vector256<float>.Count);
            TOperator.Invoke(Vector256.Load(padded)).Store(padded);
            new ReadOnlySpan<float>(padded, n - i).CopyTo(new Span<float>(y + i, n - i));
        }
    }

    private static void Run128<TOperator>(float* x, float* y, int n)
        where TOperator : IUnaryFloatOperator
    {
        int i = 0;
        for (; i + Vector128<float>.Count <= n; i += Vector128<float>.Count)
            TOperator.Invoke(Vector128.Load(x + i)).Store(y + i);
        if (i < n)
        {
            float* padded = stackalloc float[Vector128<float>.Count];
            Tail(x + i, n - i, padded, Vector128<float>.Count);
            TOperator.Invoke(Vector128.Load(padded)).Store(padded);
            new ReadOnlySpan<float>(padded, n - i).CopyTo(new Span<float>(y + i, n - i));
        }
    }

    // Copies the remaining `count` inputs into a zero-padded vector-sized buffer.
    private static void Tail(float* x, int count, float* padded, int width)
    {
        new Span<float>(padded, width).Clear();
        new ReadOnlySpan<float>(x, count).CopyTo(new Span<float>(padded, count));
    }
}
