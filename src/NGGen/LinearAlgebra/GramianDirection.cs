using System.Numerics.Tensors;

namespace NGGen.LinearAlgebra;

/// <summary>
/// The natural-gradient direction δ = −(G + λI)⁺∇L from a p×p Gramian G (symmetric positive semi-definite up to
/// rounding) and a gradient: a Cholesky solve when λ alone makes G + λI safely invertible, otherwise a Jacobi
/// eigendecomposition with eigenvalues below a cutoff × the largest dropped. Shared by the CPU and GPU natural
/// gradients, which differ only in where G and ∇L are built. Buffers are allocated once.
/// </summary>
public sealed class GramianDirection(int maxSize)
{
    private readonly SymmetricEigen _eigen = new(maxSize);
    private readonly Cholesky _cholesky = new(maxSize);

    /// <summary>How many eigen-directions of G + λI the last solve kept (p after a Cholesky solve).</summary>
    public int Rank { get; private set; }

    /// <summary>Writes δ = −(G + λI)⁺∇L into <paramref name="direction"/>. λ is added to the diagonal of
    /// <paramref name="gramian"/> in place.</summary>
    /// <param name="gramian">G, p×p, row-major (either triangle may carry the rounding asymmetry).</param>
    /// <param name="p">The size.</param>
    /// <param name="damping">λ ≥ 0.</param>
    /// <param name="cutoff">Eigenvalues of G + λI at most this × the largest are dropped.</param>
    /// <param name="gradient">∇L.</param>
    /// <param name="direction">δ.</param>
    public void Solve(Span<double> gramian, int p, double damping, double cutoff, ReadOnlySpan<double> gradient, Span<double> direction)
    {
        // JᵀHJ is symmetric only up to rounding: SymmetricEigen averages a_ij and a_ji itself, and Cholesky reads
        // the lower triangle, so only the damping is added here.
        double trace = 0;
        for (int a = 0; a < p; a++)
        {
            gramian[a * p + a] += damping;
            trace += gramian[a * p + a];
        }

        // Every eigenvalue of G + λI is at least λ, and the largest is at most the trace (G is positive
        // semi-definite). When λ exceeds the cutoff × the trace, the pseudo-inverse drops nothing, so it is the
        // inverse: a Cholesky solve (p³/3 flops) gives the same direction as the Jacobi eigendecomposition
        // (~30p³ flops, seconds at a few hundred parameters).
        if (damping > cutoff * trace && _cholesky.TryFactor(gramian, p))
        {
            _cholesky.Solve(gradient, direction);
            TensorPrimitives.Negate<double>(direction, direction);
            Rank = p;
            return;
        }

        _eigen.Decompose(gramian, p);
        _eigen.SolvePseudoInverse(gradient, direction, cutoff);
        TensorPrimitives.Negate<double>(direction, direction);
        Rank = KeptEigenvalues(p, cutoff);
    }

    private int KeptEigenvalues(int p, double cutoff)
    {
        var values = _eigen.Values;
        double largest = 0;
        for (int k = 0; k < p; k++)
            largest = Math.Max(largest, Math.Abs(values[k]));
        int kept = 0;
        for (int k = 0; k < p; k++)
            if (Math.Abs(values[k]) > cutoff * largest)
                kept++;
        return kept;
    }
}
