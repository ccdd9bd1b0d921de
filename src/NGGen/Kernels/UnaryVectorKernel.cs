using System.Runtime.Intrinsics;

namespace NGGen.Kernels;

/// <summary>An elementwise function at every vector width (TensorPrimitives' operator shape).</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface IUnaryVectorOperator<T>
    where T : unmanaged
{
    static abstract T Invoke(T x);

    static abstract Vector128<T> Invoke(Vector128<T> x);

    static abstract Vector256<T> Invoke(Vector256<T> x);

    static abstract Vector512<T> Invoke(Vector512<T> x);
}

/// <summary>Applies an <see cref="IUnaryVectorOperator{T}"/> to a span with the widest vectors the hardware runs.</summary>
internal static unsafe class UnaryVectorKernel
{
    /// <summary>
    /// Whether vectors run in hardware here. The operators multiply-add with <c>MultiplyAddEstimate</c>, fused where
    /// the hardware has FMA and a multiply and an add where it has not (x86 without AVX2), so no path falls back on
    /// FMAs computed in software.
    /// </summary>
    public static bool IsAccelerated => Vector128.IsHardwareAccelerated;

    /// <summary>y[i] = op(x[i]). The spans must have equal length; they may be the same span.</summary>
    /// <remarks>
    /// The last partial vector is computed through a padded copy, so every element goes through the same vector
    /// code and a value's result does not depend on where it sits in the span.
    /// </remarks>
    public static void Apply<T, TOperator>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged
        where TOperator : IUnaryVectorOperator<T>
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"The destination holds {y.Length} elements but the source holds {x.Length}.", nameof(y));

        fixed (T* px = x)
        fixed (T* py = y)
        {
            int n = x.Length;
            if (Vector512.IsHardwareAccelerated)
            {
                Run512<T, TOperator>(px, py, n);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                Run256<T, TOperator>(px, py, n);
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                Run128<T, TOperator>(px, py, n);
            }
            else
            {
                for (int i = 0; i < n; i++)
                    py[i] = TOperator.Invoke(px[i]);
            }
        }
    }

    private static void Run512<T, TOperator>(T* x, T* y, int n)
        where T : unmanaged
        where TOperator : IUnaryVectorOperator<T>
    {
        int i = 0;
        for (; i + Vector512<T>.Count <= n; i += Vector512<T>.Count)
            TOperator.Invoke(Vector512.Load(x + i)).Store(y + i);
        if (i < n)
        {
            T* padded = stackalloc T[Vector512<T>.Count];
            Tail(x + i, n - i, padded, Vector512<T>.Count);
            TOperator.Invoke(Vector512.Load(padded)).Store(padded);
            new ReadOnlySpan<T>(padded, n - i).CopyTo(new Span<T>(y + i, n - i));
        }
    }

    private static void Run256<T, TOperator>(T* x, T* y, int n)
        where T : unmanaged
        where TOperator : IUnaryVectorOperator<T>
    {
        int i = 0;
        for (; i + Vector256<T>.Count <= n; i += Vector256<T>.Count)
            TOperator.Invoke(Vector256.Load(x + i)).Store(y + i);
        if (i < n)
        {
            T* padded = stackalloc T[Vector256<T>.Count];
            Tail(x + i, n - i, padded, Vector256<T>.Count);
            TOperator.Invoke(Vector256.Load(padded)).Store(padded);
            new ReadOnlySpan<T>(padded, n - i).CopyTo(new Span<T>(y + i, n - i));
        }
    }

    private static void Run128<T, TOperator>(T* x, T* y, int n)
        where T : unmanaged
        where TOperator : IUnaryVectorOperator<T>
    {
        int i = 0;
        for (; i + Vector128<T>.Count <= n; i += Vector128<T>.Count)
            TOperator.Invoke(Vector128.Load(x + i)).Store(y + i);
        if (i < n)
        {
            T* padded = stackalloc T[Vector128<T>.Count];
            Tail(x + i, n - i, padded, Vector128<T>.Count);
            TOperator.Invoke(Vector128.Load(padded)).Store(padded);
            new ReadOnlySpan<T>(padded, n - i).CopyTo(new Span<T>(y + i, n - i));
        }
    }

    // Copies the remaining `count` inputs into a zero-padded vector-sized buffer.
    private static void Tail<T>(T* x, int count, T* padded, int width)
        where T : unmanaged
    {
        new Span<T>(padded, width).Clear();
        new ReadOnlySpan<T>(x, count).CopyTo(new Span<T>(padded, count));
    }
}
