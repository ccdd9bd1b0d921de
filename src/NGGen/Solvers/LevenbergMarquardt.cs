using System.Numerics.Tensors;
using System.Diagnostics;
using NGGen.LinearAlgebra;

namespace NGGen.Solvers;

/// <summary>Options for <see cref="LevenbergMarquardt"/>; defaults follow Ceres Solver.</summary>
public sealed record LevenbergMarquardtOptions
{
    /// <summary>Maximum iterations (accepted and rejected steps). Default 100.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Stop when |Δcost| / cost &lt; this after an accepted step. Default 1e-6.</summary>
    public double FunctionTolerance { get; init; } = 1e-6;

    /// <summary>Stop when ‖Jᵀr‖∞ &lt; this. Default 1e-10.</summary>
    public double GradientTolerance { get; init; } = 1e-10;

    /// <summary>Stop when ‖δ‖ &lt; this × (‖θ‖ + this). Default 1e-8.</summary>
    public double ParameterTolerance { get; init; } = 1e-8;

    /// <summary>Initial trust-region radius (damping μ = 1/radius). Default 1e4.</summary>
    public double InitialTrustRegionRadius { get; init; } = 1e4;

    /// <summary>Smallest radius before the solver gives up. Default 1e-32.</summary>
    public double MinTrustRegionRadius { get; init; } = 1e-32;

    /// <summary>Bounds on the scaling diagonal D = sqrt(diag JᵀJ). Defaults 1e-6 and 1e32.</summary>
    public double MinDiagonal { get; init; } = 1e-6;

    /// <inheritdoc cref="MinDiagonal"/>
    public double MaxDiagonal { get; init; } = 1e32;

    /// <summary>A step is accepted when actual/predicted reduction exceeds this. Default 1e-3.</summary>
    public double MinRelativeDecrease { get; init; } = 1e-3;

    /// <summary>Called after every iteration; return false to stop.</summary>
    public Func<IterationSummary, bool>? Callback { get; init; }
}

/// <summary>
/// Levenberg-Marquardt for small parameter counts (Ceres' trust-region strategy): each step solves
/// min ‖[J; √μ D] δ + [r; 0]‖ by Householder QR of the augmented system (not the normal equations,
/// which square the condition number), with D = sqrt(diag JᵀJ) and μ = 1/radius; the radius grows by
/// 1/max(1/3, 1 − (2ρ − 1)³) after a good step and shrinks by a doubling factor after a bad one.
/// </summary>
public static class LevenbergMarquardt
{
    /// <summary>
    /// Ceres' corrector for robust losses, per scalar residual with s = r²: with ρ'' ≤ 0 (every robust
    /// loss beyond its quadratic zone) r and its Jacobian row are scaled by √ρ'; otherwise by
    /// √ρ'/(1 − α) and √ρ'(1 − α), α = 1 − √(1 + 2sρ''/ρ'). The Gauss-Newton model of the corrected
    /// system then has the gradient of ½Σρ(rᵢ²) and a curvature that does not overshoot outliers.
    /// </summary>
    private static void ApplyRobustCorrection<TModel>(TrainingProblem<TModel> problem, double[] residuals, double[] working, double[] jacobian, int p)
        where TModel : IModel<TModel>
    {
        Array.Copy(residuals, working, residuals.Length);
        if (!problem.HasRobustLoss)
            return;
        for (int i = 0; i < residuals.Length; i++)
        {
            if (problem.LossOf(i) is not { } loss)
                continue;
            double r = residuals[i], s = r * r;
            var (_, first, second) = loss.Evaluate(s);
            double sqrtFirst = Math.Sqrt(first), residualScale = sqrtFirst, jacobianScale = sqrtFirst;
            if (s > 0 && second > 0)
            {
                double alpha = 1 - Math.Sqrt(1 + 2 * s * second / first);
                residualScale = sqrtFirst / (1 - alpha);
                jacobianScale = sqrtFirst * (1 - alpha);
            }
            working[i] = residualScale * r;
            for (int j = 0; j < p; j++)
                jacobian[i * p + j] *= jacobianScale;
        }
    }

    /// <summary>Minimises the problem's cost from <paramref name="theta"/> (updated in place with the best parameters found).</summary>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, LevenbergMarquardtOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new LevenbergMarquardtOptions();
        int m = problem.ResidualCount, p = problem.ParameterCount;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        var clock = Stopwatch.StartNew();
        var history = new List<IterationSummary>(Math.Min(options.MaxIterations, 100_000));
        var residuals = new double[m];
        var working = new double[m];   // residuals after the robust-loss correction (= residuals for least squares)
        var trialResiduals = new double[m];
        var predicted = new double[m];
        var jacobian = new double[m * p];
        var augmented = new double[(m + p) * p];
        var rhs = new double[m + p];
        var step = new double[p];
        var trial = new double[p];
        var gradient = new double[p];
        var diagonal = new double[p];
        var qr = new HouseholderQr(m + p, p);

        double cost = problem.Cost(theta, residuals);
        double initialCost = cost;
        int evaluations = 1, jacobianEvaluations = 0;
        if (!double.IsFinite(cost))
            return Finish(TerminationType.NonFiniteCost, $"the cost at the initial parameters is {cost}", 0);

        double radius = options.InitialTrustRegionRadius, decreaseFactor = 2;
        bool needJacobian = true;
        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            if (needJacobian)
            {
                problem.Jacobian(theta, jacobian);
                jacobianEvaluations++;
                needJacobian = false;
                ApplyRobustCorrection(problem, residuals, working, jacobian, p);
                // g = Jᵀr and the scaling D = sqrt(diag(JᵀJ)), clamped as in Ceres.
                Array.Clear(gradient);
                Array.Clear(diagonal);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < p; j++)
                    {
                        double jij = jacobian[i * p + j];
                        gradient[j] += jij * working[i];
                        diagonal[j] += jij * jij;
                    }
                for (int j = 0; j < p; j++)
                    diagonal[j] = Math.Sqrt(Math.Clamp(diagonal[j], options.MinDiagonal, options.MaxDiagonal));
                // MaxMagnitude is NaN when any entry is NaN and ∞ when any is infinite; no LINQ in the loop (it allocates).
                double gradientNorm = Math.Abs(TensorPrimitives.MaxMagnitude<double>(gradient));
                if (!double.IsFinite(gradientNorm))
                    return Finish(TerminationType.NonFiniteCost, "the Jacobian contains NaN or Inf", iteration - 1);
                if (gradientNorm < options.GradientTolerance)
                    return Finish(TerminationType.GradientTolerance, $"‖Jᵀr‖∞ = {gradientNorm:E3} < {options.GradientTolerance:E1}", iteration - 1);
            }

            // Augmented least squares: [J; √μ D] δ = [−r; 0].
            double sqrtMu = Math.Sqrt(1 / radius);
            Array.Copy(jacobian, augmented, m * p);
            Array.Clear(augmented, m * p, p * p);
            for (int j = 0; j < p; j++)
                augmented[(m + j) * p + j] = sqrtMu * diagonal[j];
            for (int i = 0; i < m; i++)
                rhs[i] = -working[i];
            Array.Clear(rhs, m, p);
            qr.Factor(augmented, m + p, p);
            qr.Solve(rhs, step);

            double stepNorm = TensorPrimitives.Norm<double>(step), thetaNorm = TensorPrimitives.Norm<double>(theta);
            if (stepNorm <= options.ParameterTolerance * (thetaNorm + options.ParameterTolerance))
                return Finish(TerminationType.ParameterTolerance, $"‖δ‖ = {stepNorm:E3} ≤ {options.ParameterTolerance:E1}·(‖θ‖ + tol)", iteration - 1);

            // Predicted decrease of the linear model: ½‖r‖² − ½‖r + Jδ‖².
            for (int i = 0; i < m; i++)
            {
                double jd = 0;
                for (int j = 0; j < p; j++)
                    jd += jacobian[i * p + j] * step[j];
                predicted[i] = working[i] + jd;
            }
            double modelCost = 0.5 * TensorPrimitives.Dot<double>(predicted, predicted);
            double predictedDecrease = 0.5 * TensorPrimitives.Dot<double>(working, working) - modelCost;

            for (int j = 0; j < p; j++)
                trial[j] = theta[j] + step[j];
            double trialCost = problem.Cost(trial, trialResiduals);
            evaluations++;
            double ratio = double.IsFinite(trialCost) && predictedDecrease > 0 ? (cost - trialCost) / predictedDecrease : double.NegativeInfinity;
            bool accepted = ratio > options.MinRelativeDecrease;
            double change = accepted ? cost - trialCost : 0;
            var record = new IterationSummary(iteration, accepted ? trialCost : cost, change, Math.Abs(TensorPrimitives.MaxMagnitude<double>(gradient)), stepNorm, 1 / radius, ratio, accepted, 0, clock.Elapsed.TotalSeconds);
            history.Add(record);

            if (accepted)
            {
                trial.CopyTo(theta);
                Array.Copy(trialResiduals, residuals, m);
                double previous = cost;
                cost = trialCost;
                radius /= Math.Max(1.0 / 3.0, 1 - Math.Pow(2 * ratio - 1, 3));
                decreaseFactor = 2;
                needJacobian = true;
                if (change <= options.FunctionTolerance * previous)
                    return Finish(TerminationType.FunctionTolerance, $"|Δcost|/cost = {change / previous:E3} ≤ {options.FunctionTolerance:E1}", iteration);
            }
            else
            {
                radius /= decreaseFactor;
                decreaseFactor *= 2;
                if (radius < options.MinTrustRegionRadius)
                    return Finish(TerminationType.NoProgress, $"the trust region shrank below {options.MinTrustRegionRadius:E1} without an acceptable step", iteration);
            }
            if (options.Callback is { } callback && !callback(record))
                return Finish(TerminationType.UserStopped, "stopped by the callback", iteration);
        }
        return Finish(TerminationType.MaxIterations, $"reached {options.MaxIterations} iterations", options.MaxIterations);

        SolverSummary Finish(TerminationType termination, string message, int iterations) =>
            new(termination, message, initialCost, cost, iterations, evaluations, jacobianEvaluations, clock.Elapsed.TotalSeconds, history);
    }


}
