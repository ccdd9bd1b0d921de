using NGGen.LinearAlgebra;

namespace NGGen.Tests.LinearAlgebra;

public class DenseSolverTests
{
    [Fact]
    public void Qr_recovers_the_exact_solution_of_a_consistent_overdetermined_system()
    {
        var random = new Random(1);
        int m = 40, n = 7;
        var a = Enumerable.Range(0, m * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var truth = Enumerable.Range(0, n).Select(i => i - 3.25).ToArray();
        var b = new double[m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                b[i] += a[i * n + j] * truth[j];
        var qr = new HouseholderQr(m, n);
        qr.Factor(a, m, n);
        var x = new double[n];
        qr.Solve(b, x);
        for (int j = 0; j < n; j++)
            Assert.Equal(truth[j], x[j], 1e-13);
    }

    [Fact]
    public void Qr_least_squares_residual_is_orthogonal_to_the_columns()
    {
        var random = new Random(2);
        int m = 30, n = 5;
        var a = Enumerable.Range(0, m * n).Select(_ => random.NextDouble()).ToArray();
        var b = Enumerable.Range(0, m).Select(_ => random.NextDouble()).ToArray();
        var qr = new HouseholderQr(m, n);
        qr.Factor(a, m, n);
        var x = new double[n];
        qr.Solve(b, x);
        for (int j = 0; j < n; j++)
        {
            double dot = 0;
            for (int i = 0; i < m; i++)
            {
                double r = -b[i];
                for (int k = 0; k < n; k++)
                    r += a[i * n + k] * x[k];
                dot += a[i * n + j] * r;
            }
            Assert.True(Math.Abs(dot) < 1e-13, $"column {j}: Aᵀr = {dot:E2}");
        }
    }

    [Fact]
    public void Qr_keeps_digits_that_normal_equations_lose()
    {
        // Läuchli matrix: [1 1; ε 0; 0 ε] with ε = 1e-7: AᵀA = [1+ε² 1; 1 1+ε²] rounds to singular in
        // double, but QR solves the least-squares problem to near machine precision.
        const double eps = 1e-7;
        double[] a = [1, 1, eps, 0, 0, eps];
        double[] b = [2, eps, eps]; // consistent with x = (1, 1)
        var qr = new HouseholderQr(3, 2);
        qr.Factor(a, 3, 2);
        var x = new double[2];
        qr.Solve(b, x);
        Assert.Equal(1.0, x[0], 1e-8);
        Assert.Equal(1.0, x[1], 1e-8);
    }

    [Fact]
    public void Jacobi_eigenvalues_of_the_1d_laplacian_match_the_closed_form()
    {
        const int n = 12;
        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            matrix[i * n + i] = 2;
            if (i > 0)
                matrix[i * n + i - 1] = -1;
            if (i < n - 1)
                matrix[i * n + i + 1] = -1;
        }
        var eigen = new SymmetricEigen(n);
        eigen.Decompose(matrix, n);
        var computed = eigen.Values.ToArray().OrderBy(v => v).ToArray();
        var expected = Enumerable.Range(1, n).Select(k => 2 - 2 * Math.Cos(k * Math.PI / (n + 1))).OrderBy(v => v).ToArray();
        for (int k = 0; k < n; k++)
            Assert.Equal(expected[k], computed[k], 1e-13);
    }

    [Fact]
    public void Tridiagonal_QL_eigenvalues_of_the_1d_laplacian_match_the_closed_form()
    {
        const int n = 40;
        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            matrix[i * n + i] = 2;
            if (i > 0)
                matrix[i * n + i - 1] = -1;
            if (i < n - 1)
                matrix[i * n + i + 1] = -1;
        }
        var eigen = new SymmetricEigen(n, SymmetricEigenMethod.TridiagonalQl);
        eigen.Decompose(matrix, n);
        var computed = eigen.Values.ToArray().OrderBy(v => v).ToArray();
        for (int k = 1; k <= n; k++)
            Assert.Equal(2 - 2 * Math.Cos(k * Math.PI / (n + 1)), computed[k - 1], 1e-13);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(129)]
    public void Tridiagonal_QL_diagonalises_random_and_rank_deficient_matrices_like_Jacobi(int n)
    {
        // A = B Bᵀ with B n × (n/2 + 1): rank-deficient for n ≥ 3, like a Gramian with more parameters than directions,
        // plus a dense indefinite symmetric matrix. Checks: ‖AV − VΛ‖ and ‖VᵀV − I‖ at rounding level (relative to ‖A‖),
        // and the sorted eigenvalues equal Jacobi's (an independent algorithm) to 1e-13‖A‖.
        var random = new Random(n);
        int r = n / 2 + 1;
        var b = Enumerable.Range(0, n * r).Select(_ => random.NextDouble() - 0.5).ToArray();
        var gramian = new double[n * n];
        var indefinite = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double sum = 0;
                for (int k = 0; k < r; k++)
                    sum += b[i * r + k] * b[j * r + k];
                gramian[i * n + j] = gramian[j * n + i] = sum;
                indefinite[i * n + j] = indefinite[j * n + i] = 2 * random.NextDouble() - 1;
            }
        foreach (var a in new[] { gramian, indefinite })
        {
            double norm = Math.Sqrt(a.Sum(x => x * x));
            var ql = new SymmetricEigen(n, SymmetricEigenMethod.TridiagonalQl);
            var jacobi = new SymmetricEigen(n);
            ql.Decompose(a, n);
            jacobi.Decompose(a, n);
            double residual = 0, orthogonality = 0;
            for (int k = 0; k < n; k++)
                for (int i = 0; i < n; i++)
                {
                    double av = 0, vv = 0;
                    for (int j = 0; j < n; j++)
                    {
                        av += a[i * n + j] * ql.Vector(j, k);
                        vv += ql.Vector(j, i) * ql.Vector(j, k);
                    }
                    residual = Math.Max(residual, Math.Abs(av - ql.Values[k] * ql.Vector(i, k)));
                    orthogonality = Math.Max(orthogonality, Math.Abs(vv - (i == k ? 1 : 0)));
                }
            Assert.True(residual <= 1e-13 * norm, $"‖AV − VΛ‖max = {residual:E2}, ‖A‖F = {norm:E2}");
            Assert.True(orthogonality <= 1e-13, $"‖VᵀV − I‖max = {orthogonality:E2}");
            var fromQl = ql.Values.ToArray().OrderBy(v => v).ToArray();
            var fromJacobi = jacobi.Values.ToArray().OrderBy(v => v).ToArray();
            for (int k = 0; k < n; k++)
                Assert.Equal(fromJacobi[k], fromQl[k], 1e-13 * norm);
        }
    }

    [Theory]
    [InlineData(SymmetricEigenMethod.Jacobi)]
    [InlineData(SymmetricEigenMethod.TridiagonalQl)]
    public void Pseudo_inverse_solves_the_range_and_ignores_the_null_space_with_either_method(SymmetricEigenMethod method)
    {
        double s = 1 / Math.Sqrt(2);
        double[] u = [s, s, 0], w = [0, 0, 1];
        var m = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                m[i * 3 + j] = u[i] * u[j] + 2 * w[i] * w[j];
        var eigen = new SymmetricEigen(3, method);
        eigen.Decompose(m, 3);
        var x = new double[3];
        eigen.SolvePseudoInverse([u[0] + w[0], u[1] + w[1], u[2] + w[2]], x);
        Assert.Equal(s, x[0], 1e-14);
        Assert.Equal(s, x[1], 1e-14);
        Assert.Equal(0.5, x[2], 1e-14);
    }

    [Fact]
    public void Pseudo_inverse_solves_the_range_and_ignores_the_null_space()
    {
        // M = u uᵀ + 2 w wᵀ with orthonormal u, w in R³ (rank 2): M⁺(u + w) = u + w/2, with no component
        // along the null direction.
        double s = 1 / Math.Sqrt(2);
        double[] u = [s, s, 0], w = [0, 0, 1];
        var m = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                m[i * 3 + j] = u[i] * u[j] + 2 * w[i] * w[j];
        var eigen = new SymmetricEigen(3);
        eigen.Decompose(m, 3);
        var x = new double[3];
        eigen.SolvePseudoInverse([u[0] + w[0], u[1] + w[1], u[2] + w[2]], x);
        Assert.Equal(s, x[0], 1e-14);
        Assert.Equal(s, x[1], 1e-14);
        Assert.Equal(0.5, x[2], 1e-14);
    }
}
