namespace NGGen.Solvers;

/// <summary>Robust loss families (Ceres' LossFunction): ρ(s) of the squared residual s = r².</summary>
public enum RobustLossKind
{
    /// <summary>ρ(s) = s: ordinary least squares.</summary>
    Squared,
    /// <summary>ρ(s) = s for s ≤ c², 2c√s − c² beyond: quadratic near zero, linear in |r| for outliers.</summary>
    Huber,
    /// <summary>ρ(s) = 2c²(√(1 + s/c²) − 1): a smooth approximation of Huber.</summary>
    SoftL1,
    /// <summary>ρ(s) = c² log(1 + s/c²): outliers' influence decays to zero.</summary>
    Cauchy,
}

/// <summary>A robust loss ρ with scale c (residuals well below c are treated as in least squares).</summary>
/// <param name="Kind">The family.</param>
/// <param name="Scale">The scale c &gt; 0.</param>
public sealed record RobustLoss(RobustLossKind Kind, double Scale = 1.0)
{
    /// <summary>ρ(s), ρ'(s), ρ''(s) for s = r² ≥ 0.</summary>
    public (double Value, double First, double Second) Evaluate(double s)
    {
        double c2 = Scale * Scale, t = s / c2;
        switch (Kind)
        {
            case RobustLossKind.Squared:
                return (s, 1, 0);
            case RobustLossKind.Huber:
                if (t <= 1)
                    return (s, 1, 0);
                double root = Math.Sqrt(t);
                return (c2 * (2 * root - 1), 1 / root, -1 / (2 * t * root) / c2);
            // Both keep ρ ≈ s for residuals far below c: √(1 + t) − 1 as t / (√(1 + t) + 1), and log(1 + t) as log1p(t).
            // Written directly (as Ceres does) they cancel, and a residual of 1e-10 at c = 1 gave ρ = 0.
            case RobustLossKind.SoftL1:
            {
                double sum = 1 + t, sqrt = Math.Sqrt(sum);
                return (2 * c2 * (t / (sqrt + 1)), 1 / sqrt, -1 / (2 * sum * sqrt) / c2);
            }
            default:
            {
                double sum = 1 + t;
                return (c2 * Ops.Log1p(t), 1 / sum, -1 / (sum * sum) / c2);
            }
        }
    }
}
