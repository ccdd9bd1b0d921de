using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NGGen.LinearAlgebra;

/// <summary>How <see cref="SymmetricEigen"/> decomposes.</summary>
public enum SymmetricEigenMethod
{
    /// <summary>Cyclic Jacobi rotations: several O(n³) sweeps, every eigenvalue to high relative accuracy for the
    /// matrix exactly as given.</summary>
    Jacobi,
    /// <summary>Householder tridiagonalisation and implicit QL (EISPACK tred2/tql2): one O(n³) reduction and about
    /// 3n³ rotation flops, 5–10× faster than Jacobi at n ≈ 100–500. Eigenvalues are accurate to ε‖A‖ (absolute),
    /// which is the accuracy a Gramian JᵀJ formed in floating point carries anyway.</summary>
    TridiagonalQl,
}

/// <summary>
/// Eigendecomposition of a dense symmetric matrix, by cyclic Jacobi rotations (the default) or by Householder
/// tridiagonalisation and implicit QL (<see cref="SymmetricEigenMethod.TridiagonalQl"/>). Jacobi is O(n³) per sweep, but
/// accurate to working precision in every eigenvalue, which pseudo-inverses of ill-conditioned matrices given
/// exactly need; when the matrix is itself a rounded Gramian, QL's ε‖A‖ accuracy is as good and much cheaper.
/// Each Jacobi rotation updates rows p and q with SIMD and mirrors row q into column q; column p takes row p once
/// the sweep's rotations (p, ·) are done (the matrix is kept symmetric, see Rotate), and the eigenvectors are stored
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

    private readonly double[] _offDiagonal;

    /// <summary>Workspace for matrices up to <paramref name="maxSize"/>×<paramref name="maxSize"/>.</summary>
    public SymmetricEigen(int maxSize, SymmetricEigenMethod method = SymmetricEigenMethod.Jacobi)
    {
        _a = new double[maxSize * maxSize];
        _w = new double[maxSize * maxSize];
        _values = new double[maxSize];
        _work = new double[maxSize];
        _offDiagonal = new double[maxSize];
        Method = method;
    }

    /// <summary>The algorithm <see cref="Decompose"/> uses.</summary>
    public SymmetricEigenMethod Method { get; }

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
        if (Method == SymmetricEigenMethod.TridiagonalQl)
        {
            Tridiagonalize(n);
            ImplicitQl(n);
            return;
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
            {
                for (int q = p + 1; q < n; q++)
                    Rotate(p, q, n);
                // Column p takes row p once, after the last rotation that changes it (see Rotate).
                for (int k = 0; k < n; k++)
                    _a[k * n + p] = _a[p * n + k];
            }
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
        // Only column q is mirrored here; column p is copied from row p when the sweep's rotations (p, ·) are done.
        // Until then the rows q' rotated against p hold a stale a_q'p, but it reaches only the entries (p, p) and
        // (q', p) of the rotated rows, which the exact 2×2 update below overwrites, so every result is the same bit for
        // bit as with both columns mirrored each time. Writing column p once instead of n − p − 1 times took the
        // decomposition of the ENGD benchmark's Gramian (p = 129) from 23 to 19 ms, and unchecked loads here and in
        // RotateRows to 16 ms (eighteenth session).
        ref double columnQ = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_a), q);
        ref double rowQStart = ref MemoryMarshal.GetReference(rowQ);
        for (int k = 0; k < n; k++)
            Unsafe.Add(ref columnQ, k * n) = Unsafe.Add(ref rowQStart, k);
        // The 2×2 block of Jᵀ A J, exactly: a_pq becomes zero and the diagonal takes the rotated values.
        rowP[p] = app - t * apq;
        rowQ[q] = aqq + t * apq;
        rowP[q] = 0;
        rowQ[p] = 0;
        RotateRows(_w.AsSpan(p * n, n), _w.AsSpan(q * n, n), c, s);
    }

    // Householder reduction of the symmetric _a to tridiagonal form (EISPACK tred2, as in JAMA): diagonal in _values,
    // subdiagonal in _offDiagonal[1..n), the accumulated orthogonal transformation Q left in _a (row-major, Q[i][j] at
    // i·n + j) and then copied transposed into _w, so that QL's rotations of Q's columns update contiguous rows of _w.
    private void Tridiagonalize(int n)
    {
        var v = _a;
        var d = _values;
        var e = _offDiagonal;
        for (int j = 0; j < n; j++)
            d[j] = v[(n - 1) * n + j];
        for (int i = n - 1; i > 0; i--)
        {
            double scale = 0, h = 0;
            for (int k = 0; k < i; k++)
                scale += Math.Abs(d[k]);
            if (scale == 0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0;
                    v[j * n + i] = 0;
                }
            }
            else
            {
                // Householder vector, scaled against under- and overflow.
                for (int k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.Sqrt(h);
                if (f > 0)
                    g = -g;
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++)
                    e[j] = 0;
                // Similarity transformation of the remaining columns.
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    v[j * n + i] = f;
                    g = e[j] + v[j * n + j] * f;
                    for (int k = j + 1; k <= i - 1; k++)
                    {
                        g += v[k * n + j] * d[k];
                        e[k] += v[k * n + j] * f;
                    }
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++)
                    e[j] -= hh * d[j];
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k <= i - 1; k++)
                        v[k * n + j] -= f * e[k] + g * d[k];
                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0;
                }
            }
            d[i] = h;
        }
        // Accumulate the transformations.
        for (int i = 0; i < n - 1; i++)
        {
            v[(n - 1) * n + i] = v[i * n + i];
            v[i * n + i] = 1;
            double h = d[i + 1];
            if (h != 0)
            {
                for (int k = 0; k <= i; k++)
                    d[k] = v[k * n + i + 1] / h;
                for (int j = 0; j <= i; j++)
                {
                    double g = 0;
                    for (int k = 0; k <= i; k++)
                        g += v[k * n + i + 1] * v[k * n + j];
                    for (int k = 0; k <= i; k++)
                        v[k * n + j] -= g * d[k];
                }
            }
            for (int k = 0; k <= i; k++)
                v[k * n + i + 1] = 0;
        }
        for (int j = 0; j < n; j++)
        {
            d[j] = v[(n - 1) * n + j];
            v[(n - 1) * n + j] = 0;
        }
        v[(n - 1) * n + n - 1] = 1;
        e[0] = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
                _w[k * n + i] = v[i * n + k];
    }

    // Implicit QL with Wilkinson-type shifts on the tridiagonal (_values, _offDiagonal) (EISPACK tql2, as in JAMA);
    // each rotation of eigenvector columns i, i+1 is a SIMD update of rows i, i+1 of _w.
    private void ImplicitQl(int n)
    {
        var d = _values;
        var e = _offDiagonal;
        for (int i = 1; i < n; i++)
            e[i - 1] = e[i];
        e[n - 1] = 0;
        double f = 0, tst1 = 0;
        const double eps = 2.220446049250313e-16;
        for (int l = 0; l < n; l++)
        {
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n && Math.Abs(e[m]) > eps * tst1)
                m++;
            if (m > l)
            {
                int iterations = 0;
                do
                {
                    if (++iterations > 60)
                        throw new InvalidOperationException($"SymmetricEigen: QL did not converge for eigenvalue {l} of a {n}×{n} matrix (NaN or Inf in the input?).");
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Hypot(p, 1);
                    if (p < 0)
                        r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++)
                        d[i] -= h;
                    f += h;
                    p = d[m];
                    double c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
                    double el1 = e[l + 1];
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        // (vᵢ, vᵢ₊₁) ← (c vᵢ − s vᵢ₊₁, s vᵢ + c vᵢ₊₁)
                        RotateRows(_w.AsSpan(i * n, n), _w.AsSpan((i + 1) * n, n), c, s);
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                }
                while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
    }

    // √(a² + b²) without overflow or destructive underflow.
    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y)
            (x, y) = (y, x);
        if (x == 0)
            return 0;
        double t = y / x;
        return x * Math.Sqrt(1 + t * t);
    }

    // (x, y) ← (c x − s y, s x + c y), elementwise; every width rounds each element the same way (multiply, multiply,
    // subtract or add). Unchecked loads: it runs twice per rotation, n²/2 rotations per sweep.
    private static void RotateRows(Span<double> x, Span<double> y, double c, double s)
    {
        Debug.Assert(y.Length == x.Length, "Rotated rows have one length.");
        int k = 0, length = x.Length;
        ref double xs = ref MemoryMarshal.GetReference(x);
        ref double ys = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            var vc = Vector512.Create(c);
            var vs = Vector512.Create(s);
            for (; k + Vector512<double>.Count <= length; k += Vector512<double>.Count)
            {
                var vx = Vector512.LoadUnsafe(ref xs, (nuint)k);
                var vy = Vector512.LoadUnsafe(ref ys, (nuint)k);
                (vc * vx - vs * vy).StoreUnsafe(ref xs, (nuint)k);
                (vs * vx + vc * vy).StoreUnsafe(ref ys, (nuint)k);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vc = Vector256.Create(c);
            var vs = Vector256.Create(s);
            for (; k + Vector256<double>.Count <= length; k += Vector256<double>.Count)
            {
                var vx = Vector256.LoadUnsafe(ref xs, (nuint)k);
                var vy = Vector256.LoadUnsafe(ref ys, (nuint)k);
                (vc * vx - vs * vy).StoreUnsafe(ref xs, (nuint)k);
                (vs * vx + vc * vy).StoreUnsafe(ref ys, (nuint)k);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            // ARM64's width (x86 keeps its scalar tail after the Vector256 loop).
            var vc = Vector128.Create(c);
            var vs = Vector128.Create(s);
            for (; k + Vector128<double>.Count <= length; k += Vector128<double>.Count)
            {
                var vx = Vector128.LoadUnsafe(ref xs, (nuint)k);
                var vy = Vector128.LoadUnsafe(ref ys, (nuint)k);
                (vc * vx - vs * vy).StoreUnsafe(ref xs, (nuint)k);
                (vs * vx + vc * vy).StoreUnsafe(ref ys, (nuint)k);
            }
        }
        for (; k < length; k++)
        {
            double xk = Unsafe.Add(ref xs, k), yk = Unsafe.Add(ref ys, k);
            Unsafe.Add(ref xs, k) = c * xk - s * yk;
            Unsafe.Add(ref ys, k) = s * xk + c * yk;
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
