using NGGen.LinearAlgebra;

namespace NGGen.Solvers;

/// <summary>
/// The asymptotic covariance of least-squares parameter estimates, C = σ²(JᵀJ)⁻¹ with σ² = Σrᵢ²/(m − p),
/// the quantity NIST certifies as "standard deviation of the estimates" and Ceres' <c>Covariance</c>
/// computes. (JᵀJ)⁻¹ comes from a Householder QR of J, never from JᵀJ itself. With a robust loss the
/// estimate is treated as the iteratively reweighted least-squares fit it is: rows of J and residuals are
/// weighted by √ρ'(rᵢ²), so outliers the loss discounts do not inflate σ².
/// </summary>
public sealed record ParameterCovariance
{
    /// <summary>Parameter count p.</summary>
    public required int Parameters { get; init; }

    /// <summary>Residual count m.</summary>
    public required int Residuals { get; init; }

    /// <summary>σ² = Σ wᵢrᵢ² / (m − p), the residual variance (wᵢ = ρ'(rᵢ²), 1 without a robust loss).</summary>
    public required double ResidualVariance { get; init; }

    /// <summary>C = σ²(JᵀJ)⁻¹, row-major p×p.</summary>
    public required double[] Covariance { get; init; }

    /// <summary>√C_kk for each parameter.</summary>
    public required double[] StandardErrors { get; init; }

    /// <summary>Correlation C_ij / (s_i s_j).</summary>
    public double Correlation(int i, int j) => Covariance[i * Parameters + j] / (StandardErrors[i] * StandardErrors[j]);

    /// <summary>
    /// The covariance at <paramref name="theta"/> (normally the solver's optimum). Throws when the problem has
    /// a classification loss, when there are no more residuals than parameters (σ² is undefined), or when J is
    /// rank-deficient (a parameter is not identifiable from the data; the message names it).
    /// </summary>
    public static ParameterCovariance Compute<TModel>(TrainingProblem<TModel> problem, ReadOnlySpan<double> theta)
        where TModel : IModel<TModel>
    {
        problem.RequireLeastSquares("ParameterCovariance");
        int m = problem.ResidualCount, p = problem.ParameterCount;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        if (m <= p)
            throw new ArgumentException($"The covariance needs more residuals than parameters to estimate σ² = Σr²/(m − p); {TModel.Name} has m = {m}, p = {p}.");
        var residuals = new double[m];
        var jacobian = new double[m * p];
        problem.Residuals(theta, residuals);
        problem.Jacobian(theta, jacobian);
        double weightedSquares = 0;
        for (int i = 0; i < m; i++)
        {
            double weight = problem.LossOf(i) is { } loss ? loss.Evaluate(residuals[i] * residuals[i]).First : 1;
            weightedSquares += weight * residuals[i] * residuals[i];
            if (weight != 1)
            {
                double scale = Math.Sqrt(weight);
                for (int j = 0; j < p; j++)
                    jacobian[i * p + j] *= scale;
            }
        }
        if (!double.IsFinite(weightedSquares) || !jacobian.All(double.IsFinite))
            throw new ArgumentException($"The residuals or the Jacobian of {TModel.Name} contain NaN or Inf at θ; no covariance exists there.");
        var qr = new HouseholderQr(m, p);
        qr.Factor(jacobian, m, p);
        var covariance = new double[p * p];
        if (!qr.TryInverseGram(covariance, out int deficient))
            throw new ArgumentException($"The Jacobian of {TModel.Name} is rank-deficient at θ: parameter {ParameterName<TModel>(deficient)} (θ index {deficient}) is a combination of the ones before it, so the data do not determine it and JᵀJ has no inverse.");
        double variance = weightedSquares / (m - p);
        var errors = new double[p];
        for (int k = 0; k < covariance.Length; k++)
            covariance[k] *= variance;
        for (int j = 0; j < p; j++)
            errors[j] = Math.Sqrt(covariance[j * p + j]);
        return new ParameterCovariance { Parameters = p, Residuals = m, ResidualVariance = variance, Covariance = covariance, StandardErrors = errors };
    }

    /// <summary>"b2", or "W1[7]" for an entry of a tensor parameter.</summary>
    private static string ParameterName<TModel>(int index) where TModel : IModel<TModel>
    {
        foreach (var info in TModel.Parameters)
            if (index >= info.Offset && index < info.Offset + info.Length)
                return info.Length == 1 ? info.Name : $"{info.Name}[{index - info.Offset}]";
        return $"#{index}";
    }
}
