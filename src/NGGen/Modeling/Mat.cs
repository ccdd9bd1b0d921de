namespace NGGen;

/// <summary>
/// A row-major matrix in a per-sample model; like <see cref="Vec"/>, a symbolic value for the generator
/// and an exact eager double-precision implementation at run time. <c>M * v</c> and <c>A * B</c> are
/// matrix products; <c>+</c>/<c>-</c> act elementwise.
/// </summary>
public sealed class Mat
{
    private readonly double[] _values;

    /// <summary>A <paramref name="rows"/>×<paramref name="cols"/> zero matrix.</summary>
    public Mat(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        Rows = rows;
        Cols = cols;
        _values = new double[rows * cols];
    }

    /// <summary>A matrix holding a copy of row-major <paramref name="values"/>.</summary>
    public Mat(int rows, int cols, ReadOnlySpan<double> values) : this(rows, cols)
    {
        if (values.Length != rows * cols)
            throw new ArgumentException($"Expected {rows * cols} values for a {rows}x{cols} matrix, got {values.Length}.", nameof(values));
        values.CopyTo(_values);
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>Entry (<paramref name="row"/>, <paramref name="col"/>).</summary>
    public double this[int row, int col]
    {
        get => _values[Index(row, col)];
        set => _values[Index(row, col)] = value;
    }

    /// <summary>The row-major entries.</summary>
    public ReadOnlySpan<double> AsSpan() => _values;

    /// <summary>Row <paramref name="row"/> as a vector.</summary>
    public Vec Row(int row) => new(_values.AsSpan(row * Cols, Cols));

    /// <summary>The transpose.</summary>
    public Mat T
    {
        get
        {
            var t = new Mat(Cols, Rows);
            for (int i = 0; i < Rows; i++)
                for (int j = 0; j < Cols; j++)
                    t._values[j * Rows + i] = _values[i * Cols + j];
            return t;
        }
    }

    public static Vec operator *(Mat m, Vec v)
    {
        if (m.Cols != v.Length)
            throw new ArgumentException($"Cannot multiply a {m.Rows}x{m.Cols} matrix by a vector of length {v.Length}.");
        var result = new Vec(m.Rows);
        for (int i = 0; i < m.Rows; i++)
        {
            double sum = 0;
            for (int j = 0; j < m.Cols; j++)
                sum += m._values[i * m.Cols + j] * v[j];
            result[i] = sum;
        }
        return result;
    }

    public static Mat operator *(Mat a, Mat b)
    {
        if (a.Cols != b.Rows)
            throw new ArgumentException($"Cannot multiply a {a.Rows}x{a.Cols} matrix by a {b.Rows}x{b.Cols} matrix.");
        var result = new Mat(a.Rows, b.Cols);
        for (int i = 0; i < a.Rows; i++)
            for (int j = 0; j < b.Cols; j++)
            {
                double sum = 0;
                for (int p = 0; p < a.Cols; p++)
                    sum += a._values[i * a.Cols + p] * b._values[p * b.Cols + j];
                result._values[i * b.Cols + j] = sum;
            }
        return result;
    }

    public static Mat operator +(Mat a, Mat b) => Zip(a, b, static (x, y) => x + y);
    public static Mat operator -(Mat a, Mat b) => Zip(a, b, static (x, y) => x - y);
    public static Mat operator *(double s, Mat a) => a.Map(x => s * x);
    public static Mat operator *(Mat a, double s) => a.Map(x => x * s);
    public static Mat operator -(Mat a) => a.Map(static x => -x);

    /// <summary>Applies <paramref name="f"/> to every entry.</summary>
    public Mat Map(Func<double, double> f)
    {
        var result = new Mat(Rows, Cols);
        for (int i = 0; i < _values.Length; i++)
            result._values[i] = f(_values[i]);
        return result;
    }

    private static Mat Zip(Mat a, Mat b, Func<double, double, double> f)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols)
            throw new ArgumentException($"Matrix shapes differ: {a.Rows}x{a.Cols} and {b.Rows}x{b.Cols}.");
        var result = new Mat(a.Rows, a.Cols);
        for (int i = 0; i < a._values.Length; i++)
            result._values[i] = f(a._values[i], b._values[i]);
        return result;
    }

    private int Index(int row, int col)
    {
        if ((uint)row >= (uint)Rows || (uint)col >= (uint)Cols)
            throw new IndexOutOfRangeException($"({row}, {col}) is outside a {Rows}x{Cols} matrix.");
        return row * Cols + col;
    }
}
