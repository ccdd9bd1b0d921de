namespace NGGen.LinearAlgebra;

/// <summary>
/// Householder QR of a dense m×n matrix (m ≥ n), row-major, for least squares: min ‖A x − b‖₂.
/// Solving through QR keeps the accuracy normal equations lose (κ(AᵀA) = κ(A)²), which is what
/// lets Levenberg-Marquardt reach the last digits on NIST problems. Storage is caller-provided and
/// reused, so repeated factorizations allocate nothing.
/// </summary>
public sealed class HouseholderQr
{
    private readonly double[] _qr;
    private readonly double[] _beta;
    private readonly double[] _work;

    /// <summary>Workspace for matrices up to <paramref name="maxRows"/>×<paramref name="maxCols"/>.</summary>
    public HouseholderQr(int maxRows, int maxCols)
    {
        if (maxRows < maxCols)
            throw new ArgumentException($"QR least squares needs at least as many rows ({maxRows}) as columns ({maxCols}).");
        _qr = new double[maxRows * maxCols];
        _beta = new double[maxCols];
        _work = new double[maxRows];
    }

    /// <summary>Rows of the last factorization.</summary>
    public int Rows { get; private set; }

    /// <summary>Columns of the last factorization.</summary>
    public int Cols { get; private set; }

    /// <summary>Factors the row-major <paramref name="a"/> (copied; <paramref name="a"/> is not changed).</summary>
    public void Factor(ReadOnlySpan<double> a, int rows, int cols)
    {
        if (rows < cols || rows * cols > _qr.Length || cols > _beta.Length)
            throw new ArgumentException($"A {rows}×{cols} matrix does not fit this {_work.Length}-row, {_beta.Length}-column QR workspace (or has fewer rows than columns).");
        if (a.Length < rows * cols)
            throw new ArgumentException($"Expected {rows * cols} entries, got {a.Length}.", nameof(a));
        Rows = rows;
        Cols = cols;
        a[..(rows * cols)].CopyTo(_qr);
        for (int k = 0; k < cols; k++)
        {
            // v = x + sign(x₀)‖x‖e₀ over column k from row k; H = I − β v vᵀ.
            double norm = 0;
            for (int i = k; i < rows; i++)
                norm = Hypot(norm, _qr[i * cols + k]);
            if (norm == 0)
            {
                _beta[k] = 0;
                continue;
            }
            double alpha = _qr[k * cols + k] >= 0 ? -norm : norm;
            double v0 = _qr[k * cols + k] - alpha;
            _qr[k * cols + k] = alpha;
            // Store v scaled so v₀ = 1 below the diagonal.
            for (int i = k + 1; i < rows; i++)
                _qr[i * cols + k] /= v0;
            _beta[k] = -v0 / alpha;
            for (int j = k + 1; j < cols; j++)
            {
                double dot = _qr[k * cols + j];
                for (int i = k + 1; i < rows; i++)
                    dot += _qr[i * cols + k] * _qr[i * cols + j];
                dot *= _beta[k];
                _qr[k * cols + j] -= dot;
                for (int i = k + 1; i < rows; i++)
                    _qr[i * cols + j] -= dot * _qr[i * cols + k];
            }
        }
    }

    /// <summary>Diagonal entry k of R (its magnitude reveals rank deficiency).</summary>
    public double RDiagonal(int k) => _qr[k * Cols + k];

    /// <summary>x = argmin ‖A x − b‖₂ for the factored A. Zero pivots (rank-deficient columns) give x_k = 0.</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        int m = Rows, n = Cols;
        if (b.Length < m || x.Length < n)
            throw new ArgumentException($"Need b of length {m} and x of length {n}.");
        var qtb = _work.AsSpan(0, m);
        b[..m].CopyTo(qtb);
        for (int k = 0; k < n; k++)
        {
            if (_beta[k] == 0)
                continue;
            double dot = qtb[k];
            for (int i = k + 1; i < m; i++)
                dot += _qr[i * n + k] * qtb[i];
            dot *= _beta[k];
            qtb[k] -= dot;
            for (int i = k + 1; i < m; i++)
                qtb[i] -= dot * _qr[i * n + k];
        }
        double tiny = 0;
        for (int k = 0; k < n; k++)
            tiny = Math.Max(tiny, Math.Abs(_qr[k * n + k]));
        tiny *= n * 1e-15;
        for (int k = n - 1; k >= 0; k--)
        {
            double r = _qr[k * n + k];
            if (Math.Abs(r) <= tiny)
            {
                x[k] = 0;
                continue;
            }
            double sum = qtb[k];
            for (int j = k + 1; j < n; j++)
                sum -= _qr[k * n + j] * x[j];
            x[k] = sum / r;
        }
    }

    /// <summary>
    /// (AᵀA)⁻¹ = R⁻¹R⁻ᵀ for the factored A, written row-major to <paramref name="inverse"/> (n×n), without
    /// forming AᵀA (which would square the condition number). Returns false, leaving
    /// <paramref name="inverse"/> unspecified, when a pivot |R_kk| is below n·1e-15·max|R_ii| (A is
    /// numerically rank-deficient, so AᵀA has no inverse); <paramref name="deficientColumn"/> is then
    /// the first such column, otherwise −1.
    /// </summary>
    public bool TryInverseGram(Span<double> inverse, out int deficientColumn)
    {
        int n = Cols;
        if (inverse.Length < n * n)
            throw new ArgumentException($"Need {n * n} entries for the {n}×{n} inverse.", nameof(inverse));
        double largest = 0;
        for (int k = 0; k < n; k++)
            largest = Math.Max(largest, Math.Abs(_qr[k * n + k]));
        deficientColumn = -1;
        for (int k = 0; k < n; k++)
            if (!(Math.Abs(_qr[k * n + k]) > largest * n * 1e-15))
            {
                deficientColumn = k;
                return false;
            }
        // Rinv (upper triangular) by back substitution, column by column, into the upper triangle.
        var rInverse = inverse[..(n * n)];
        rInverse.Clear();
        for (int j = 0; j < n; j++)
        {
            rInverse[j * n + j] = 1 / _qr[j * n + j];
            for (int i = j - 1; i >= 0; i--)
            {
                double sum = 0;
                for (int k = i + 1; k <= j; k++)
                    sum += _qr[i * n + k] * rInverse[k * n + j];
                rInverse[i * n + j] = -sum / _qr[i * n + i];
            }
        }
        // (AᵀA)⁻¹ = Rinv Rinvᵀ: entry (i, j ≥ i) = Σ_{k ≥ j} Rinv[i,k] Rinv[j,k], overwriting row i in place.
        // Rows below i are still Rinv when read; row i itself is read from a copy.
        var row = _work.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            rInverse.Slice(i * n, n).CopyTo(row);
            for (int j = i; j < n; j++)
            {
                double sum = 0;
                for (int k = j; k < n; k++)
                    sum += row[k] * rInverse[j * n + k];
                rInverse[i * n + j] = sum;
            }
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                rInverse[i * n + j] = rInverse[j * n + i];
        return true;
    }

    private static double Hypot(double a, double b)
    {
        a = Math.Abs(a);
        b = Math.Abs(b);
        if (a < b)
            (a, b) = (b, a);
        if (a == 0)
            return 0;
        double r = b / a;
        return a * Math.Sqrt(1 + r * r);
    }
}
