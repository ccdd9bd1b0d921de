using NGGen.LinearAlgebra;

namespace NGGen.Tests.LinearAlgebra;

/// <summary>
/// <see cref="SymmetricEigen"/>'s Jacobi sweep mirrors column p into place once per row of rotations rather than
/// after every rotation; its remarks argue that the stale entries never reach a kept value. These tests hold it to
/// that: the eager form below (both rotated rows mirrored into their columns after each rotation, the same angle,
/// skip test and exact 2×2 update) must give the same eigenvalues and eigenvectors bit for bit.
/// </summary>
public class JacobiMirroringTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(9)]
    [InlineData(40)]
    [InlineData(129)]
    public void Jacobi_gives_the_bits_of_rotations_that_mirror_both_columns_every_time(int n)
    {
        // An ENGD-like Gramian JᵀJ with J's columns scaled over eight decades (eigenvalues far below rounding of the
        // largest, where the relative skip test keeps rotating), and a dense indefinite matrix.
        var random = new Random(n);
        int rows = 2 * n;
        var j = new double[rows * n];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < n; c++)
                j[r * n + c] = (random.NextDouble() - 0.5) * Math.Pow(10, -8.0 * c / Math.Max(1, n - 1));
        var gramian = new double[n * n];
        var indefinite = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b <= a; b++)
            {
                double sum = 0;
                for (int r = 0; r < rows; r++)
                    sum += j[r * n + a] * j[r * n + b];
                gramian[a * n + b] = gramian[b * n + a] = sum;
                indefinite[a * n + b] = indefinite[b * n + a] = 2 * random.NextDouble() - 1;
            }

        foreach (var matrix in new[] { gramian, indefinite })
        {
            var eigen = new SymmetricEigen(n);
            eigen.Decompose(matrix, n);
            var (values, vectors) = EagerMirrorJacobi(matrix, n);
            for (int k = 0; k < n; k++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(values[k]) == BitConverter.DoubleToInt64Bits(eigen.Values[k]),
                    $"n = {n}: eigenvalue {k} is {eigen.Values[k]:R}, the eager sweep gives {values[k]:R}.");
                for (int i = 0; i < n; i++)
                    Assert.True(BitConverter.DoubleToInt64Bits(vectors[k * n + i]) == BitConverter.DoubleToInt64Bits(eigen.Vector(i, k)),
                        $"n = {n}: entry {i} of eigenvector {k} is {eigen.Vector(i, k):R}, the eager sweep gives {vectors[k * n + i]:R}.");
            }
        }
    }

    // Cyclic Jacobi by rows, both rotated rows written into their columns after each rotation; eigenvectors as rows.
    // (Not bench/NGGen.Bench/TextbookJacobi, which rotates columns too and has no skip test, so its bits differ.)
    private static (double[] Values, double[] Vectors) EagerMirrorJacobi(double[] matrix, int n)
    {
        var a = (double[])matrix.Clone();
        for (int i = 0; i < n; i++)
            for (int k = i + 1; k < n; k++)
                a[i * n + k] = a[k * n + i] = 0.5 * (a[i * n + k] + a[k * n + i]);
        var w = new double[n * n];
        for (int i = 0; i < n; i++)
            w[i * n + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
            {
                diag += a[i * n + i] * a[i * n + i];
                for (int k = i + 1; k < n; k++)
                    off += a[i * n + k] * a[i * n + k];
            }
            if (off <= 1e-32 * diag || off == 0)
                break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (apq == 0)
                        continue;
                    double app = a[p * n + p], aqq = a[q * n + q];
                    if (Math.Abs(apq) <= 1e-18 * Math.Sqrt(Math.Abs(app * aqq)))
                    {
                        a[p * n + q] = a[q * n + p] = 0;
                        continue;
                    }
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0)
                        t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    Rotate(a, p * n, q * n, n, c, s);
                    for (int k = 0; k < n; k++)
                    {
                        a[k * n + p] = a[p * n + k];
                        a[k * n + q] = a[q * n + k];
                    }
                    a[p * n + p] = app - t * apq;
                    a[q * n + q] = aqq + t * apq;
                    a[p * n + q] = a[q * n + p] = 0;
                    Rotate(w, p * n, q * n, n, c, s);
                }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++)
            values[i] = a[i * n + i];
        return (values, w);
    }

    private static void Rotate(double[] m, int x, int y, int n, double c, double s)
    {
        for (int k = 0; k < n; k++)
        {
            double xk = m[x + k], yk = m[y + k];
            m[x + k] = c * xk - s * yk;
            m[y + k] = s * xk + c * yk;
        }
    }
}
