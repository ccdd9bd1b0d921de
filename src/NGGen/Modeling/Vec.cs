namespace NGGen;

/// <summary>
/// A vector in a per-sample model. In model source it is a symbolic value the generator compiles to
/// batched SIMD code; at run time this class is the exact, slow, double-precision eager implementation
/// used as a reference oracle. Operators act elementwise (<c>a * b</c> is the Hadamard product; use
/// <see cref="Ops.Dot"/> for the inner product).
/// </summary>
public sealed class Vec
{
    private readonly double[] _values;

    /// <summary>A vector of <paramref name="length"/> zeros.</summary>
    public Vec(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _values = new double[length];
    }

    /// <summary>A vector holding a copy of <paramref name="values"/>.</summary>
    public Vec(ReadOnlySpan<double> values) => _values = values.ToArray();

    /// <summary>Number of entries.</summary>
    public int Length => _values.Length;

    /// <summary>Entry <paramref name="index"/>.</summary>
    public double this[int index]
    {
        get => _values[index];
        set => _values[index] = value;
    }

    /// <summary>A copy of the entries in <paramref name="range"/> (e.g. <c>x[1..3]</c>).</summary>
    public Vec this[Range range] => new(_values.AsSpan()[range]);

    /// <summary>The entries.</summary>
    public ReadOnlySpan<double> AsSpan() => _values;

    /// <summary>Builds a vector from scalars.</summary>
    public static Vec Of(params double[] values) => new(values);

    public static Vec operator +(Vec a, Vec b) => Zip(a, b, static (x, y) => x + y);
    public static Vec operator -(Vec a, Vec b) => Zip(a, b, static (x, y) => x - y);
    public static Vec operator *(Vec a, Vec b) => Zip(a, b, static (x, y) => x * y);
    public static Vec operator /(Vec a, Vec b) => Zip(a, b, static (x, y) => x / y);
    public static Vec operator +(Vec a, double s) => a.Map(x => x + s);
    public static Vec operator +(double s, Vec a) => a.Map(x => s + x);
    public static Vec operator -(Vec a, double s) => a.Map(x => x - s);
    public static Vec operator -(double s, Vec a) => a.Map(x => s - x);
    public static Vec operator *(Vec a, double s) => a.Map(x => x * s);
    public static Vec operator *(double s, Vec a) => a.Map(x => s * x);
    public static Vec operator /(Vec a, double s) => a.Map(x => x / s);
    public static Vec operator /(double s, Vec a) => a.Map(x => s / x);
    public static Vec operator -(Vec a) => a.Map(static x => -x);

    /// <summary>Applies <paramref name="f"/> to every entry.</summary>
    public Vec Map(Func<double, double> f)
    {
        var result = new Vec(Length);
        for (int i = 0; i < Length; i++)
            result._values[i] = f(_values[i]);
        return result;
    }

    private static Vec Zip(Vec a, Vec b, Func<double, double, double> f)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Vector lengths differ: {a.Length} and {b.Length}.");
        var result = new Vec(a.Length);
        for (int i = 0; i < a.Length; i++)
            result._values[i] = f(a._values[i], b._values[i]);
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(", ", _values) + "]";
}
