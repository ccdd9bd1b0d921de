using NGGen.LinearAlgebra;

namespace NGGen.Samples.DeepLinear;

/// <summary>Small dense helpers on row-major arrays: products, random orthogonal matrices, singular values and
/// effective rank. Written out here so that the measurements do not lean on the solvers under study.</summary>
public static class Dense
{
    /// <summary>⟨a, b⟩.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }

    /// <summary>‖a‖₂.</summary>
    public static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));

    /// <summary>cos∠(a, b); NaN when either is zero.</summary>
    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => Dot(a, b) / (Norm(a) * Norm(b));

    /// <summary>The angle between a and b in degrees.</summary>
    public static double AngleDegrees(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        Math.Acos(Math.Clamp(Cosine(a, b), -1, 1)) * 180 / Math.PI;

    /// <summary>C = A B for row-major A (rows×inner) and B (inner×cols).</summary>
    public static double[] Multiply(double[] a, double[] b, int rows, int inner, int cols)
    {
        var c = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int k = 0; k < inner; k++)
            {
                double aik = a[i * inner + k];
                if (aik == 0)
                    continue;
                for (int j = 0; j < cols; j++)
                    c[i * cols + j] += aik * b[k * cols + j];
            }
        return c;
    }

    /// <summary>Aᵀ for row-major A (rows×cols).</summary>
    public static double[] Transpose(double[] a, int rows, int cols)
    {
        var t = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                t[j * rows + i] = a[i * cols + j];
        return t;
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>n×n row-major matrix of independent N(0, scale²) entries.</summary>
    public static double[] GaussianMatrix(Random random, int rows, int cols, double scale)
    {
        var m = new double[rows * cols];
        for (int i = 0; i < m.Length; i++)
            m[i] = scale * Gaussian(random);
        return m;
    }

    /// <summary>A random n×n orthogonal matrix: modified Gram-Schmidt on the rows of a Gaussian matrix.</summary>
    public static double[] RandomOrthogonal(Random random, int n)
    {
        var q = GaussianMatrix(random, n, n, 1);
        for (int i = 0; i < n; i++)
        {
            var row = q.AsSpan(i * n, n);
            for (int k = 0; k < i; k++)
            {
                var previous = q.AsSpan(k * n, n);
                double projection = Dot(row, previous);
                for (int j = 0; j < n; j++)
                    row[j] -= projection * previous[j];
            }
            double norm = Norm(row);
            for (int j = 0; j < n; j++)
                row[j] /= norm;
        }
        return q;
    }

    /// <summary>Singular values of the row-major n×n matrix A, largest first: square roots of the eigenvalues of
    /// AᵀA by Jacobi rotations (accurate for the leading values; values below ~1e-8·σ₁ are at rounding level).</summary>
    public static double[] SingularValues(double[] a, int n)
    {
        var gram = Multiply(Transpose(a, n, n), a, n, n, n);
        var eigen = new SymmetricEigen(n);
        eigen.Decompose(gram, n);
        var values = new double[n];
        for (int k = 0; k < n; k++)
            values[k] = Math.Sqrt(Math.Max(eigen.Values[k], 0));
        Array.Sort(values, (x, y) => y.CompareTo(x));
        return values;
    }

    /// <summary>Roy and Vetterli's (2007) effective rank exp(−Σ pₖ log pₖ) with pₖ = σₖ/Σσ: equal to r for r equal
    /// singular values and the rest zero, and continuous in the spectrum (small spurious values count a little).</summary>
    public static double EffectiveRank(ReadOnlySpan<double> singularValues)
    {
        double total = 0;
        foreach (double s in singularValues)
            total += s;
        if (!(total > 0))
            return 0;
        double entropy = 0;
        foreach (double s in singularValues)
        {
            double p = s / total;
            if (p > 0)
                entropy -= p * Math.Log(p);
        }
        return Math.Exp(entropy);
    }
}
