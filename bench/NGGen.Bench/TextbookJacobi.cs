namespace NGGen.Bench;

/// <summary>
/// The hand-written baseline for <see cref="NGGen.LinearAlgebra.SymmetricEigen"/>: the textbook two-sided cyclic Jacobi
/// method (rotate columns p, q, then rows p, q, then the eigenvector columns, every rotation with a non-zero a_pq), as
/// NGGen had it before its rotations became SIMD row updates on symmetric storage.
/// </summary>
public sealed class TextbookJacobi
{
    private readonly double[] _a;
    private readonly double[] _v;
    private readonly double[] _values;
    private readonly double[] _work;

    /// <summary>Workspace for matrices up to <paramref name="maxSize"/>×<paramref name="maxSize"/>.</summary>
    public TextbookJacobi(int maxSize)
    {
        _a = new double[maxSize * maxSize];
        _v = new double[maxSize * maxSize];
        _values = new double[maxSize];
        _work = new double[maxSize];
    }

    /// <summary>Size of the last decomposition.</summary>
    public int Size { get; private set; }

    /// <summary>Eigenvalues (unsorted) of the last decomposition.</summary>
    public ReadOnlySpan<double> Values => _values.AsSpan(0, Size);

    /// <summary>Eigenvector k (column k of V) entry i.</summary>
    public double Vector(int i, int k) => _v[i * Size + k];

    /// <summary>Decomposes the symmetric row-major <paramref name="matrix"/> (only symmetric input is meaningful).</summary>
    public void Decompose(ReadOnlySpan<double> matrix, int n)
    {
        if (n * n > _a.Length)
            throw new ArgumentException($"A {n}×{n} matrix does not fit this eigen workspace.");
        Size = n;
        matrix[..(n * n)].CopyTo(_a);
        _v.AsSpan(0, n * n).Clear();
        for (int i = 0; i < n; i++)
            _v[i * n + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
            {
                diag += _a[i * n + i] * _a[i * n + i];
                for (int j = i + 1; j < n; j++)
                    off += _a[i * n + j] * _a[i * n + j];
            }
            if (off <= 1e-32 * diag || off == 0)
                break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                    Rotate(p, q, n);
        }
        for (int i = 0; i < n; i++)
            _values[i] = _a[i * n + i];
    }

    private void Rotate(int p, int q, int n)
    {
        double apq = _a[p * n + q];
        if (apq == 0)
            return;
        double app = _a[p * n + p], aqq = _a[q * n + q];
        double theta = (aqq - app) / (2 * apq);
        double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        if (theta == 0)
            t = 1;
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++)
        {
            double akp = _a[k * n + p], akq = _a[k * n + q];
            _a[k * n + p] = c * akp - s * akq;
            _a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++)
        {
            double apk = _a[p * n + k], aqk = _a[q * n + k];
            _a[p * n + k] = c * apk - s * aqk;
            _a[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++)
        {
            double vkp = _v[k * n + p], vkq = _v[k * n + q];
            _v[k * n + p] = c * vkp - s * vkq;
            _v[k * n + q] = s * vkp + c * vkq;
        }
    }
}
