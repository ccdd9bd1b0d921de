using NGGen.LinearAlgebra;

namespace NGGen.Tests.LinearAlgebra;

/// <summary>The LM subproblem min ‖Jδ + r‖² + ‖diag(d)δ‖² solved by one QR of J and Givens rotations per damping,
/// checked against the QR of the explicitly augmented system [J; diag(d)] (an independent factorization) and
/// against the normal equations (JᵀJ + diag(d)²)δ = −Jᵀr.</summary>
public class DampedLeastSquaresTests
{
    private static (double[] ColumnMajor, double[] Residuals) RandomProblem(int m, int p, int seed)
    {
        var random = new Random(seed);
        var j = Enumerable.Range(0, m * p).Select(_ => random.NextDouble() - 0.5).ToArray();
        var r = Enumerable.Range(0, m).Select(_ => random.NextDouble() - 0.5).ToArray();
        return (j, r);
    }

    /// <summary>The augmented system's solution by the row-major <see cref="HouseholderQr"/>.</summary>
    private static double[] Augmented(double[] columns, double[] r, double[] d, int m, int p)
    {
        var a = new double[(m + p) * p];
        for (int i = 0; i < m; i++)
            for (int k = 0; k < p; k++)
                a[i * p + k] = columns[k * m + i];
        for (int k = 0; k < p; k++)
            a[(m + k) * p + k] = d[k];
        var b = new double[m + p];
        for (int i = 0; i < m; i++)
            b[i] = -r[i];
        var qr = new HouseholderQr(m + p, p);
        qr.Factor(a, m + p, p);
        var x = new double[p];
        qr.Solve(b, x);
        return x;
    }

    /// <summary>max_k |((JᵀJ + D²)δ + Jᵀr)_k| relative to ‖Jᵀr‖∞.</summary>
    private static double NormalEquationResidual(double[] columns, double[] r, double[] d, double[] step, int m, int p)
    {
        var jd = new double[m];
        for (int k = 0; k < p; k++)
            for (int i = 0; i < m; i++)
                jd[i] += columns[k * m + i] * step[k];
        double worst = 0, scale = 0;
        for (int k = 0; k < p; k++)
        {
            double jtr = 0, jtjd = 0;
            for (int i = 0; i < m; i++)
            {
                jtr += columns[k * m + i] * r[i];
                jtjd += columns[k * m + i] * jd[i];
            }
            worst = Math.Max(worst, Math.Abs(jtjd + d[k] * d[k] * step[k] + jtr));
            scale = Math.Max(scale, Math.Abs(jtr));
        }
        return worst / scale;
    }

    [Theory]
    [InlineData(40, 7, 1)]
    [InlineData(6, 2, 2)]
    [InlineData(2, 4, 3)]   // fewer residuals than parameters: only the damping makes the system full rank
    public void Every_damping_after_one_factorization_matches_the_augmented_qr_and_the_normal_equations(int m, int p, int seed)
    {
        var (columns, r) = RandomProblem(m, p, seed);
        var solver = new DampedLeastSquares(m, p);
        solver.Factor(columns, r, m);
        var step = new double[p];
        foreach (double scale in new[] { 1e-3, 0.1, 1, 30 })
        {
            var d = Enumerable.Range(0, p).Select(k => scale * (0.5 + k)).ToArray();
            solver.Solve(d, step);
            var expected = Augmented(columns, r, d, m, p);
            for (int k = 0; k < p; k++)
                Assert.True(Math.Abs(step[k] - expected[k]) <= 1e-12 * (1 + Math.Abs(expected[k])), $"scale {scale}, δ{k}: {step[k]:R} vs {expected[k]:R}");
            Assert.True(NormalEquationResidual(columns, r, d, step, m, p) < 1e-12, $"scale {scale}");
        }
    }

    [Fact]
    public void Zero_damping_gives_the_least_squares_solution()
    {
        var (columns, r) = RandomProblem(30, 5, 4);
        var solver = new DampedLeastSquares(30, 5);
        solver.Factor(columns, r, 30);
        var step = new double[5];
        solver.Solve(new double[5], step);
        var expected = Augmented(columns, r, new double[5], 30, 5);
        for (int k = 0; k < 5; k++)
            Assert.Equal(expected[k], step[k], 1e-12);
        // Least squares: the residual J δ + r is orthogonal to every column.
        Assert.True(NormalEquationResidual(columns, r, new double[5], step, 30, 5) < 1e-12);
    }

    [Fact]
    public void Qr_keeps_the_digits_of_the_lauchli_problem()
    {
        // Läuchli matrix [1 1; ε 0; 0 ε], ε = 1e-7, with r = −(2, ε, ε): AᵀA rounds to singular in double, but the
        // exact least-squares solution (1, 1) is reached through QR, also with a damping far below ε².
        const double eps = 1e-7;
        double[] columns = [1, eps, 0, 1, 0, eps];
        double[] r = [-2, -eps, -eps];
        var solver = new DampedLeastSquares(3, 2);
        solver.Factor(columns, r, 3);
        var step = new double[2];
        solver.Solve([1e-20, 1e-20], step);
        Assert.Equal(1.0, step[0], 1e-8);
        Assert.Equal(1.0, step[1], 1e-8);
    }

    [Fact]
    public void Norm_survives_overflow_and_underflow_of_the_sum_of_squares()
    {
        Assert.Equal(5e200, DampedLeastSquares.Norm([3e200, 4e200]), 1e188);
        Assert.Equal(5e-200, DampedLeastSquares.Norm([3e-200, 4e-200]), 1e-212);
        Assert.Equal(0.0, DampedLeastSquares.Norm([0.0, 0.0]));
    }
}
