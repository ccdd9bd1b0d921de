using System.Runtime.Intrinsics;

namespace NGGen.LinearAlgebra;

/// <summary>
/// Eigendecomposition of a dense symmetric matrix by cyclic Jacobi rotations: O(n³) per sweep, but
/// accurate to working precision in every eigenvalue, which is what pseudo-inverses of ill-conditioned
/// Gramians (natural and energy natural gradients) need. Each rotation updates rows p and q with SIMD
/// and mirrors them into columns p and q (the matrix is kept symmetric), and the eigenvectors are stored
/// as rows, so no update walks a column. Rotations whose off-diagonal entry is below rounding relative to
/// both diagonal entries are skipped (the entry is set to zero), the test that keeps small eigenvalues
/// accurate. Workspace is reused.
/// </summary>
public sealed class SymmetricEigen
{
    private readonly double[] _a;
    // Eigenvectors as rows: _w[k * n + i] is entry i of eigenvector k.
    private readonly double[] _w;
    private readonly double[] _values;
    private readonly double[] _work;

    /// <summary>Workspace for matrices up to <paramref name="maxSize"/>×<paramref name="maxSize"/>.</summary>
    public SymmetricEigen(int maxSize)
    {
        _a = new double[maxSize * maxSize];
        _w = new double[maxSize * maxSize];
        _values = new double[maxSize];
        _work = new double[maxSize];
    }

    /// <summary>Size of the last decomposition.</summary>
    public int Size { get; private set; }

    /// <summary>Eigenvalues (unsorted) of the last decomposition.</summary>
    public ReadOnlySpan<double> Values => _values.AsSpan(0, Size);

    /// <summary>Eigenvector k (column k of V) entry i.</summary>
    public double Vector(int i, int k) => _w[k * Size + i];

    /// <summary>Decomposes the symmetric row-major <paramref name="matrix"/>. Rounding asymmetry (a Gramian from a
    /// GEMM) is removed by averaging a_ij and a_ji.</summary>
    public void Decompose(ReadOnlySpan<double> matrix, int n)
    {
        if (n * n > _a.Length)
            throw new ArgumentException($"A {n}×{n} matrix does not fit this eigen workspace.");
        Size = n;
        matrix[..(n * n)].CopyTo(_a);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double mean = 0.5 * (_a[i * n + j] + _a[j * n + i]);
                _a[i * n + j] = mean;
                _a[j * n + i] = mean;
            }
        _w.AsSpan(0, n * n).Clear();
        for (int i = 0; i < n; i++)
            _w[i * n + i] = 1;
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
        // |a_pq| ≤ 1e-18·√|a_pp·a_qq|: far below the rounding of both diagonal entries, so the rotation would change
        // nothing representable. Dropping the entry is the relative test (Demmel and Veselić) that keeps small
        // eigenvalues accurate, and it spares the O(n) work of the many negligible rotations of the last sweeps.
        if (Math.Abs(apq) <= 1e-18 * Math.Sqrt(Math.Abs(app * aqq)))
        {
            _a[p * n + q] = 0;
            _a[q * n + p] = 0;
            return;
        }
        double theta = (aqq - app) / (2 * apq);
        double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        if (theta == 0)
            t = 1;
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;

        var rowP = _a.AsSpan(p * n, n);
        var rowQ = _a.AsSpan(q * n, n);
        RotateRows(rowP, rowQ, c, s);
        for (int k = 0; k < n; k++)
        {
            _a[k * n + p] = rowP[k];
            _a[k * n + q] = rowQ[k];
        }
        // The 2×2 block of Jᵀ A J, exactly: a_pq becomes zero and the diagonal takes the rotated values.
        rowP[p] = app - t * apq;
        rowQ[q] = aqq + t * apq;
        rowP[q] = 0;
        rowQ[p] = 0;
        RotateRows(_w.AsSpan(p * n, n), _w.AsSpan(q * n, n), c, s);
    }

    // (x, y) ← (c x − s y, s x + c y), elementwise.
    private static void RotateRows(Span<double> x, Span<double> y, double c, double s)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vc = Vector256.Create(c);
            var vs = Vector256.Create(s);
            for (; k + 4 <= x.Length; k += 4)
            {
                var vx = Vector256.Create<double>(x.Slice(k, 4));
                var vy = Vector256.Create<double>(y.Slice(k, 4));
                (vc * vx - vs * vy).CopyTo(x.Slice(k, 4));
                (vs * vx + vc * vy).CopyTo(y.Slice(k, 4));
            }
        }
        for (; k < x.Length; k++)
        {
            double xk = x[k], yk = y[k];
            x[k] = c * xk - s * yk;
            y[k] = s * xk + c * yk;
        }
    }

    /// <summary>
    /// x = M⁺ b for the decomposed M, dropping eigenvalues below <paramref name="relativeCutoff"/> ×
    /// the largest |λ| (the pseudo-inverse used by natural gradients).
    /// </summary>
    public void SolvePseudoInverse(ReadOnlySpan<double> b, Span<double> x, double relativeCutoff = 1e-12)
    {
        int n = Size;
        double largest = 0;
        for (int k = 0; k < n; k++)
            largest = Math.Max(largest, Math.Abs(_values[k]));
        double cutoff = relativeCutoff * largest;
        var coefficients = _work.AsSpan(0, n);
        for (int k = 0; k < n; k++)
        {
            double dot = 0;
            for (int i = 0; i < n; i++)
                dot += _w[k * n + i] * b[i];
            coefficients[k] = Math.Abs(_values[k]) > cutoff ? dot / _values[k] : 0;
        }
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int k = 0; k < n; k++)
                sum += _w[k * n + i] * coefficients[k];
            x[i] = sum;
        }
    }
}
