namespace NGGen.LinearAlgebra;

/// <summary>Cholesky factorization A = L Lᵀ of a dense symmetric positive-definite matrix, in reusable storage.</summary>
public sealed class Cholesky
{
    private readonly double[] _l;

    /// <summary>Workspace for matrices up to <paramref name="maxSize"/>×<paramref name="maxSize"/>.</summary>
    public Cholesky(int maxSize) => _l = new double[maxSize * maxSize];

    /// <summary>Size of the last factorization.</summary>
    public int Size { get; private set; }

    /// <summary>Factors A + shift·I (row-major). Returns false if a pivot is not positive (A + shift·I is not positive definite).</summary>
    public bool TryFactor(ReadOnlySpan<double> a, int n, double shift = 0)
    {
        if (n * n > _l.Length)
            throw new ArgumentException($"A {n}×{n} matrix does not fit this Cholesky workspace.");
        Size = n;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i * n + j] + (i == j ? shift : 0);
                for (int k = 0; k < j; k++)
                    sum -= _l[i * n + k] * _l[j * n + k];
                if (i == j)
                {
                    if (!(sum > 0))
                        return false;
                    _l[i * n + i] = Math.Sqrt(sum);
                }
                else
                {
                    _l[i * n + j] = sum / _l[j * n + j];
                }
            }
        }
        return true;
    }

    /// <summary>Solves (L Lᵀ) x = b.</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        int n = Size;
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
                sum -= _l[i * n + k] * x[k];
            x[i] = sum / _l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int k = i + 1; k < n; k++)
                sum -= _l[k * n + i] * x[k];
            x[i] = sum / _l[i * n + i];
        }
    }
}
