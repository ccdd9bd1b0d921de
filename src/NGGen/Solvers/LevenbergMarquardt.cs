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
/// min ‖[J; √μ D] δ + [r; 0]‖ by QR (not the normal equations, which square the condition number): a
/// Householder QR of J per Jacobian, then Givens rotations of the damping rows per μ (<see cref="DampedLeastSquares"/>),
/// with D = sqrt(diag JᵀJ) and μ = 1/radius; the radius grows by 1/max(1/3, 1 − (2ρ − 1)³) after a good step
/// and shrinks by a doubling factor after a bad one. One deliberate difference from Ceres: a step whose predicted
/// decrease is below the cost's rounding error is judged by the cost alone (see the loop), which gains digits
/// where the cost is flat to rounding.
/// </summary>
public static class LevenbergMarquardt
{
    /// <summary>The rounding error assumed in a computed cost, in units of its last place (ε·cost): a sum of m
    /// rounded squares of residuals that are themselves differences of rounded values.</summary>
    internal const double CostRoundingUlps = 64;

    /// <summary>2⁻⁵², the spacing of doubles at 1 (<see cref="double.Epsilon"/> is the smallest subnormal instead).</summary>
    internal const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Ceres' corrector for robust losses, per scalar residual with s = r²: with ρ'' ≤ 0 (every robust
    /// loss beyond its quadratic zone) r and its Jacobian row are scaled by √ρ'; otherwise by
    /// √ρ'/(1 − α) and √ρ'(1 − α), α = 1 − √(1 + 2sρ''/ρ'). The Gauss-Newton model of the corrected
    /// system then has the gradient of ½Σρ(rᵢ²) and a curvature that does not overshoot outliers.
    /// The Jacobian is column-major (m rows per column).
    /// </summary>
    internal static void ApplyRobustCorrection<TModel>(TrainingProblem<TModel> problem, double[] residuals, double[] working, double[] jacobian, int p)
        where TModel : IModel<TModel>
    {
        Array.Copy(residuals, working, residuals.Length);
        if (!problem.HasRobustLoss)
            return;
        int m = residuals.Length;
        for (int i = 0; i < m; i++)
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
                jacobian[j * m + i] *= jacobianScale;
        }
    }

    /// <summary>Minimises the problem's cost from <paramref name="theta"/> (updated in place with the best parameters found).</summary>
    /// <remarks>
    /// The iteration is Ceres' (trust_region_minimizer.cc with levenberg_marquardt_strategy.cc): the same damping,
    /// radius updates, acceptance ratio (with Ceres' model decrease −(Jδ)ᵀ(r + Jδ/2), which keeps its relative
    /// accuracy when the decrease is tiny) and tolerance tests. The step is computed by <see cref="DampedLeastSquares"/>:
    /// one QR of J per Jacobian and O(p³) per damping, so a rejected step costs one residual evaluation and a small
    /// triangular update. <see cref="LevenbergMarquardtStepper{TModel}"/> runs the iterations with buffers allocated
    /// once; iterations allocate nothing beyond the history list.
    /// </remarks>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, LevenbergMarquardtOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new LevenbergMarquardtOptions();
        int p = problem.ParameterCount;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        long started = Stopwatch.GetTimestamp();
        var history = IterationHistory.Create(options.MaxIterations);
        var stepper = new LevenbergMarquardtStepper<TModel>(problem, options);
        double initialCost = stepper.Evaluate(theta);
        if (!double.IsFinite(initialCost))
            return Finish(TerminationType.NonFiniteCost, $"the cost at the initial parameters is {initialCost}", 0);

        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            var outcome = stepper.Iterate(iteration, theta, Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (!outcome.Stepped)
                return Finish(outcome.Termination!.Value, outcome.Message!, iteration - 1);
            history.Add(outcome.Record);
            if (outcome.Termination is { } termination)
                return Finish(termination, outcome.Message!, iteration);
            if (options.Callback is { } callback && !callback(outcome.Record))
                return Finish(TerminationType.UserStopped, "stopped by the callback", iteration);
        }
        return Finish(TerminationType.MaxIterations, $"reached {options.MaxIterations} iterations", options.MaxIterations);

        SolverSummary Finish(TerminationType termination, string message, int iterations) =>
            new(termination, message, initialCost, stepper.Cost, iterations, stepper.Evaluations, stepper.JacobianEvaluations,
                Stopwatch.GetElapsedTime(started).TotalSeconds, history);
    }
}
