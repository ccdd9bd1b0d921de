using System.Numerics.Tensors;

namespace NGGen.LinearAlgebra;

/// <summary>
/// The Levenberg-Marquardt subproblem min ‖J δ + r‖² + ‖diag(d) δ‖² for one Jacobian and many dampings d, the way
/// MINPACK's lmpar/qrsolv solves it (Moré 1978): a Householder QR of J once per Jacobian (J = QR, Qᵀr kept), then
/// for each d a Givens elimination of the p damping rows into R, O(p²) per row, and back substitution. This is
/// the QR solution of the augmented system [J; diag(d)] δ = −[r; 0] that Ceres' DENSE_QR computes from scratch for
/// every damping, without the normal equations (which square the condition number), at O(p³) instead of O(mp²)
/// per rejected step.
/// <para>
/// J is column-major (column j at j·m, length m), so every Householder update is a contiguous SIMD dot product and
/// multiply-add. m &lt; p is allowed (the missing rows are zeros). Storage is allocated once; calls allocate nothing.
/// </para>
/// </summary>
public sealed class DampedLeastSquares
{
    private readonly int _maxRows, _cols;
    private readonly double[] _qr;        // n×p column-major: R on and above the diagonal, Householder vectors below
    private readonly double[] _beta;
    private readonly double[] _qtr;       // −Qᵀr (n entries; the first p enter every solve)
    private readonly double[] _s;         // p×p row-major: R with the damping rows eliminated in
    private readonly double[] _dampingRow;
    private readonly double[] _z;
    private int _rows, _n;

    /// <summary>Workspace for Jacobians of up to <paramref name="maxRows"/> rows and exactly <paramref name="cols"/> columns.</summary>
    public DampedLeastSquares(int maxRows, int cols)
    {
        if (maxRows < 1 || cols < 1)
            throw new ArgumentException($"A damped least-squares problem needs at least one row and one column, got {maxRows}×{cols}.");
        _maxRows = maxRows;
        _cols = cols;
        int n = Math.Max(maxRows, cols);
        _qr = new double[n * cols];
        _beta = new double[cols];
        _qtr = new double[n];
        _s = new double[cols * cols];
        _dampingRow = new double[cols];
        _z = new double[cols];
    }

    /// <summary>
    /// Factors the column-major m×p <paramref name="jacobian"/> (copied) and stores −Qᵀ<paramref name="residuals"/>.
    /// </summary>
    public void Factor(ReadOnlySpan<double> jacobian, ReadOnlySpan<double> residuals, int rows)
    {
        int p = _cols;
        if (rows < 1 || rows > _maxRows)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows do not fit this {_maxRows}-row workspace.");
        if (jacobian.Length < rows * p || residuals.Length < rows)
            throw new ArgumentException($"Expected a {rows}×{p} Jacobian ({rows * p} entries) and {rows} residuals; got {jacobian.Length} and {residuals.Length}.");
        // Fewer rows than columns: pad with zero rows, which change neither the problem nor its solution.
        int n = Math.Max(rows, p);
        _rows = rows;
        _n = n;
        var a = _qr.AsSpan(0, n * p);
        for (int j = 0; j < p; j++)
        {
            jacobian.Slice(j * rows, rows).CopyTo(a.Slice(j * n, rows));
            a.Slice(j * n + rows, n - rows).Clear();
        }
        var qtr = _qtr.AsSpan(0, n);
        TensorPrimitives.Negate(residuals[..rows], qtr);
        qtr[rows..].Clear();

        for (int k = 0; k < p; k++)
        {
            // Reflector H = I − β v vᵀ with v = (1, x₁/v₀, …) mapping column k (rows k…n−1) onto α e₀.
            var x = a.Slice(k * n + k, n - k);
            double norm = Norm(x);
            if (norm == 0)
            {
                _beta[k] = 0;
                continue;
            }
            double alpha = x[0] >= 0 ? -norm : norm;
            double v0 = x[0] - alpha;
            x[0] = alpha;
            var tail = x[1..];
            TensorPrimitives.Divide(tail, v0, tail);
            double beta = _beta[k] = -v0 / alpha;
            for (int j = k + 1; j < p; j++)
                Reflect(a.Slice(j * n + k, n - k), tail, beta);
            Reflect(qtr[k..], tail, beta);
        }
    }

    /// <summary>max ‖R_k,k‖ over the factored columns (for rank decisions by the caller).</summary>
    public double LargestPivot()
    {
        double largest = 0;
        for (int k = 0; k < _cols; k++)
            largest = Math.Max(largest, Math.Abs(_qr[k * _n + k]));
        return largest;
    }

    /// <summary>
    /// δ = argmin ‖J δ + r‖² + ‖diag(<paramref name="damping"/>) δ‖² for the factored J and r. With every damping
    /// entry positive the system has full rank; a zero pivot otherwise gives δ_k = 0 (as <see cref="HouseholderQr.Solve"/>).
    /// </summary>
    public void Solve(ReadOnlySpan<double> damping, Span<double> step)
    {
        int p = _cols, n = _n;
        if (n == 0)
            throw new InvalidOperationException("Factor a Jacobian before solving.");
        if (damping.Length < p || step.Length < p)
            throw new ArgumentException($"Need {p} damping entries and a step of length {p}.");
        // S = R (row-major copy of the upper triangle), z = first p entries of −Qᵀr.
        var s = _s.AsSpan();
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                s[i * p + j] = j >= i ? _qr[j * n + i] : 0;
        var z = _z.AsSpan();
        _qtr.AsSpan(0, p).CopyTo(z);

        // Eliminate the damping row d_j e_j into S with Givens rotations against rows j…p−1 (MINPACK qrsolv); the
        // right-hand side of a damping row is 0.
        var row = _dampingRow.AsSpan();
        for (int j = 0; j < p; j++)
        {
            if (damping[j] == 0)
                continue;
            row.Clear();
            row[j] = damping[j];
            double zRow = 0;
            for (int k = j; k < p; k++)
            {
                if (row[k] == 0)
                    continue;
                double skk = s[k * p + k], rk = row[k];
                double c, sn;
                if (Math.Abs(skk) < Math.Abs(rk))
                {
                    double cotangent = skk / rk;
                    sn = 1 / Math.Sqrt(1 + cotangent * cotangent);
                    c = sn * cotangent;
                }
                else
                {
                    double tangent = rk / skk;
                    c = 1 / Math.Sqrt(1 + tangent * tangent);
                    sn = c * tangent;
                }
                s[k * p + k] = c * skk + sn * rk;
                double zk = z[k];
                z[k] = c * zk + sn * zRow;
                zRow = -sn * zk + c * zRow;
                for (int i = k + 1; i < p; i++)
                {
                    double ski = s[k * p + i], ri = row[i];
                    s[k * p + i] = c * ski + sn * ri;
                    row[i] = -sn * ski + c * ri;
                }
            }
        }

        // Back substitution; pivots below p·1e-15·max|S_ii| count as zero (rank-deficient J, no damping there).
        double tiny = 0;
        for (int k = 0; k < p; k++)
            tiny = Math.Max(tiny, Math.Abs(s[k * p + k]));
        tiny *= p * 1e-15;
        for (int k = p - 1; k >= 0; k--)
        {
            double pivot = s[k * p + k];
            if (Math.Abs(pivot) <= tiny)
            {
                step[k] = 0;
                continue;
            }
            double sum = z[k];
            for (int j = k + 1; j < p; j++)
                sum -= s[k * p + j] * step[j];
            step[k] = sum / pivot;
        }
    }

    // y ← H y for H = I − β v vᵀ, v = (1, tail).
    private static void Reflect(Span<double> y, ReadOnlySpan<double> tail, double beta)
    {
        var rest = y[1..];
        double dot = beta * (y[0] + TensorPrimitives.Dot(tail, rest));
        y[0] -= dot;
        TensorPrimitives.MultiplyAdd(tail, -dot, rest, rest);
    }

    /// <summary>‖x‖₂ from the sum of squares (SIMD), rescaled when that over- or underflows.</summary>
    public static double Norm(ReadOnlySpan<double> x)
    {
        double sum = TensorPrimitives.Dot(x, x);
        if (sum > 1e-280 && sum < 1e280)
            return Math.Sqrt(sum);
        double scale = 0;
        foreach (double v in x)
            scale = Math.Max(scale, Math.Abs(v));
        if (scale == 0 || !double.IsFinite(scale))
            return scale;
        double scaled = 0;
        foreach (double v in x)
            scaled += (v / scale) * (v / scale);
        return scale * Math.Sqrt(scaled);
    }
}
