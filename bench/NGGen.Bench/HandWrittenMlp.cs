using System.Numerics;
using System.Numerics.Tensors;

namespace NGGen.Bench;

/// <summary>
/// The baseline a .NET developer would write by hand for the same three-layer tanh MLP: sample by
/// sample (sample-major data, as most C# code holds it), matrix-vector products as TensorPrimitives.Dot
/// per row, and the JVP/VJP derived by hand. θ uses the generated layout (W1, b1, W2, b2, W3, b3).
/// </summary>
public sealed class HandWrittenMlp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _width;
    private readonly T[] _h1, _h2, _z1, _z2, _dh1, _dh2, _dz, _ct2, _ct1, _ct0;

    public HandWrittenMlp(int width)
    {
        _width = width;
        _h1 = new T[width]; _h2 = new T[width]; _z1 = new T[width]; _z2 = new T[width];
        _dh1 = new T[width]; _dh2 = new T[width]; _dz = new T[width];
        _ct2 = new T[width]; _ct1 = new T[width]; _ct0 = new T[width];
    }

    private (int W1, int B1, int W2, int B2, int W3, int B3) Offsets()
    {
        int w = _width, m = w * w;
        return (0, m, m + w, 2 * m + w, 2 * m + 2 * w, 3 * m + 2 * w);
    }

    private static void Affine(ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> y)
    {
        int n = x.Length;
        for (int i = 0; i < y.Length; i++)
            y[i] = TensorPrimitives.Dot(w.Slice(i * n, n), x) + b[i];
    }

    /// <summary>outputs[s·w ..] = MLP(inputs[s·w ..]) for each sample s (sample-major).</summary>
    public void Forward(ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch, Span<T> outputs)
    {
        int w = _width;
        var o = Offsets();
        for (int s = 0; s < batch; s++)
        {
            var x = inputs.Slice(s * w, w);
            Affine(theta.Slice(o.W1, w * w), theta.Slice(o.B1, w), x, _h1);
            TensorPrimitives.Tanh<T>(_h1, _h1);
            Affine(theta.Slice(o.W2, w * w), theta.Slice(o.B2, w), _h1, _h2);
            TensorPrimitives.Tanh<T>(_h2, _h2);
            Affine(theta.Slice(o.W3, w * w), theta.Slice(o.B3, w), _h2, outputs.Slice(s * w, w));
        }
    }

    /// <summary>jvp = J·v per sample.</summary>
    public void Jvp(ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch, ReadOnlySpan<T> v, Span<T> jvp)
    {
        int w = _width;
        var o = Offsets();
        for (int s = 0; s < batch; s++)
        {
            var x = inputs.Slice(s * w, w);
            // Layer 1: z1 = W1 x + b1, dz1 = dW1 x + db1; h1 = tanh z1, dh1 = (1 − h1²) dz1.
            Affine(theta.Slice(o.W1, w * w), theta.Slice(o.B1, w), x, _h1);
            TensorPrimitives.Tanh<T>(_h1, _h1);
            Affine(v.Slice(o.W1, w * w), v.Slice(o.B1, w), x, _dz);
            TangentOfTanh(_h1, _dz, _dh1);
            // Layer 2: dz2 = dW2 h1 + W2 dh1 + db2.
            Affine(theta.Slice(o.W2, w * w), theta.Slice(o.B2, w), _h1, _h2);
            TensorPrimitives.Tanh<T>(_h2, _h2);
            Affine(v.Slice(o.W2, w * w), v.Slice(o.B2, w), _h1, _dz);
            for (int i = 0; i < w; i++)
                _dz[i] += TensorPrimitives.Dot(theta.Slice(o.W2 + i * w, w), _dh1);
            TangentOfTanh(_h2, _dz, _dh2);
            // Output: dy = dW3 h2 + W3 dh2 + db3.
            var dy = jvp.Slice(s * w, w);
            Affine(v.Slice(o.W3, w * w), v.Slice(o.B3, w), _h2, dy);
            for (int i = 0; i < w; i++)
                dy[i] += TensorPrimitives.Dot(theta.Slice(o.W3 + i * w, w), _dh2);
        }
    }

    /// <summary>gradient += Jᵀ·u summed over samples.</summary>
    public void Vjp(ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch, ReadOnlySpan<T> u, Span<T> gradient)
    {
        int w = _width;
        var o = Offsets();
        for (int s = 0; s < batch; s++)
        {
            var x = inputs.Slice(s * w, w);
            Affine(theta.Slice(o.W1, w * w), theta.Slice(o.B1, w), x, _h1);
            TensorPrimitives.Tanh<T>(_h1, _h1);
            Affine(theta.Slice(o.W2, w * w), theta.Slice(o.B2, w), _h1, _h2);
            TensorPrimitives.Tanh<T>(_h2, _h2);
            var ct = u.Slice(s * w, w);
            // Output layer: gW3 += ct h2ᵀ, gb3 += ct, ct2 = W3ᵀ ct.
            OuterAccumulate(ct, _h2, gradient.Slice(o.W3, w * w));
            TensorPrimitives.Add(gradient.Slice(o.B3, w), ct, gradient.Slice(o.B3, w));
            TransposeMultiply(theta.Slice(o.W3, w * w), ct, _ct2);
            CotangentOfTanh(_h2, _ct2);
            OuterAccumulate(_ct2, _h1, gradient.Slice(o.W2, w * w));
            TensorPrimitives.Add(gradient.Slice(o.B2, w), _ct2, gradient.Slice(o.B2, w));
            TransposeMultiply(theta.Slice(o.W2, w * w), _ct2, _ct1);
            CotangentOfTanh(_h1, _ct1);
            OuterAccumulate(_ct1, x, gradient.Slice(o.W1, w * w));
            TensorPrimitives.Add(gradient.Slice(o.B1, w), _ct1, gradient.Slice(o.B1, w));
        }
    }

    private static void TangentOfTanh(ReadOnlySpan<T> h, ReadOnlySpan<T> dz, Span<T> dh)
    {
        for (int i = 0; i < h.Length; i++)
            dh[i] = (T.One - h[i] * h[i]) * dz[i];
    }

    private static void CotangentOfTanh(ReadOnlySpan<T> h, Span<T> ct)
    {
        for (int i = 0; i < h.Length; i++)
            ct[i] *= T.One - h[i] * h[i];
    }

    private static void OuterAccumulate(ReadOnlySpan<T> left, ReadOnlySpan<T> right, Span<T> matrix)
    {
        int n = right.Length;
        for (int i = 0; i < left.Length; i++)
        {
            var row = matrix.Slice(i * n, n);
            TensorPrimitives.FusedMultiplyAdd(right, left[i], row, row);
        }
    }

    private static void TransposeMultiply(ReadOnlySpan<T> w, ReadOnlySpan<T> ct, Span<T> result)
    {
        int n = result.Length;
        result.Clear();
        for (int i = 0; i < ct.Length; i++)
            TensorPrimitives.FusedMultiplyAdd(w.Slice(i * n, n), ct[i], result, result);
    }
}
