using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NGGen.Kernels;

/// <summary>Elementwise functions the generated code calls where NGGen has a faster kernel than TensorPrimitives.</summary>
public static class Activations
{
    /// <summary>y = tanh(x) elementwise; <paramref name="x"/> and <paramref name="y"/> may be the same span.</summary>
    /// <remarks>
    /// Single precision uses a rational approximation with at most 5 ulp error (<c>TanhOperator</c>), about 3× faster
    /// than <see cref="TensorPrimitives.Tanh{T}(ReadOnlySpan{T}, Span{T})"/>; double precision Cephes' rational form
    /// near zero and the exponential form elsewhere, within 2 ulp (<c>DoubleTanhOperator</c>). TensorPrimitives' tanh
    /// is not used: it loses most of its digits near zero, in both precisions.
    /// </remarks>
    /// <exception cref="ArgumentException">The spans differ in length or partly overlap.</exception>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!TryVectorKernel<T, TanhOperator, DoubleTanhOperator>(x, y))
            TensorPrimitives.Tanh(x, y);
    }

    /// <summary>y = log(1 + x) elementwise, accurate for small x (<c>Log1pOperator</c>, Kahan's form: at most 3 ulp on
    /// its tests' sweeps); <paramref name="x"/> and <paramref name="y"/> may be the same span.</summary>
    /// <remarks>Not <c>TensorPrimitives.LogP1</c>, which computes log(x + 1) and returns 0 for |x| below the unit roundoff.</remarks>
    /// <exception cref="ArgumentException">The spans differ in length or partly overlap.</exception>
    public static void Log1p<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!TryVectorKernel<T, Log1pOperator, Log1pOperator>(x, y))
        {
            for (int i = 0; i < x.Length; i++)
                y[i] = FusedMath.Log1p(x[i]);
        }
    }

    /// <summary>y = e^x − 1 elementwise, accurate for small x (<c>Expm1Operator</c>, Kahan's form: at most 5 ulp on its
    /// tests' sweeps); <paramref name="x"/> and <paramref name="y"/> may be the same span.</summary>
    /// <remarks>Not <c>TensorPrimitives.ExpM1</c>, which computes e^x − 1 and returns 0 for |x| below the unit roundoff.</remarks>
    /// <exception cref="ArgumentException">The spans differ in length or partly overlap.</exception>
    public static void Expm1<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!TryVectorKernel<T, Expm1Operator, Expm1Operator>(x, y))
        {
            for (int i = 0; i < x.Length; i++)
                y[i] = FusedMath.Expm1(x[i]);
        }
    }

    // Checks the spans, then runs TFloat on float and TDouble on double elements through UnaryVectorKernel. Returns
    // false for any other element type (Half, NFloat), which the caller computes its own way.
    private static bool TryVectorKernel<T, TFloat, TDouble>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFloat : IUnaryVectorOperator<float>
        where TDouble : IUnaryVectorOperator<double>
    {
        if (x.Overlaps(y, out int offset) && offset != 0)
            throw new ArgumentException("The destination overlaps the source at a different position.", nameof(y));
        if (x.Length != y.Length)
            throw new ArgumentException($"The destination holds {y.Length} elements but the source holds {x.Length}.", nameof(y));
        if (typeof(T) == typeof(float))
        {
            UnaryVectorKernel.Apply<float, TFloat>(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y));
            return true;
        }

        if (typeof(T) == typeof(double))
        {
            UnaryVectorKernel.Apply<double, TDouble>(MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(y));
            return true;
        }

        return false;
    }
}
