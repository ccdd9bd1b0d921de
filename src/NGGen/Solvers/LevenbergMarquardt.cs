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
    private const double CostRoundingUlps = 64;

    /// <summary>2⁻⁵², the spacing of doubles at 1 (<see cref="double.Epsilon"/> is the smallest subnormal instead).</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Ceres' corrector for robust losses, per scalar residual with s = r²: with ρ'' ≤ 0 (every robust
    /// loss beyond its quadratic zone) r and its Jacobian row are scaled by √ρ'; otherwise by
    /// √ρ'/(1 − α) and √ρ'(1 − α), α = 1 − √(1 + 2sρ''/ρ'). The Gauss-Newton model of the corrected
    /// system then has the gradient of ½Σρ(rᵢ²) and a curvature that does not overshoot outliers.
    /// The Jacobian is column-major (m rows per column).
    /// </summary>
    private static void ApplyRobustCorrection<TModel>(TrainingProblem<TModel> problem, double[] residuals, double[] working, double[] jacobian, int p)
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
    /// triangular update. Buffers are allocated once per solve; iterations allocate nothing beyond the history list.
    /// </remarks>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, LevenbergMarquardtOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new LevenbergMarquardtOptions();
        int m = problem.ResidualCount, p = problem.ParameterCount;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        long started = Stopwatch.GetTimestamp();
        var history = IterationHistory.Create(options.MaxIterations);
        var residuals = new double[m];
        var working = new double[m];   // residuals after the robust-loss correction (= residuals for least squares)
        var trialResiduals = new double[m];
        var modelChange = new double[m]; // J δ
        var jacobian = new double[m * p]; // column-major
        var step = new double[p];
        var trial = new double[p];
        var gradient = new double[p];
        var diagonal = new double[p];
        var damping = new double[p];
        var subproblem = new DampedLeastSquares(m, p);

        double cost = problem.Cost(theta, residuals);
        double initialCost = cost;
        int evaluations = 1, jacobianEvaluations = 0;
        if (!double.IsFinite(cost))
            return Finish(TerminationType.NonFiniteCost, $"the cost at the initial parameters is {cost}", 0);

        double radius = options.InitialTrustRegionRadius, decreaseFactor = 2, gradientNorm = 0;
        bool needJacobian = true;
        double lastAcceptedStep = double.PositiveInfinity;
        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            if (needJacobian)
            {
                problem.JacobianColumns(theta, jacobian);
                jacobianEvaluations++;
                needJacobian = false;
                ApplyRobustCorrection(problem, residuals, working, jacobian, p);
                // g = Jᵀr and the scaling D = sqrt(diag(JᵀJ)), clamped as in Ceres.
                bool finite = true;
                gradientNorm = 0;
                for (int j = 0; j < p; j++)
                {
                    var column = jacobian.AsSpan(j * m, m);
                    gradient[j] = TensorPrimitives.Dot<double>(column, working);
                    diagonal[j] = Math.Sqrt(Math.Clamp(TensorPrimitives.Dot<double>(column, column), options.MinDiagonal, options.MaxDiagonal));
                    finite &= double.IsFinite(gradient[j]) && double.IsFinite(diagonal[j]);
                    gradientNorm = Math.Max(gradientNorm, Math.Abs(gradient[j]));
                }
                if (!finite)
                    return Finish(TerminationType.NonFiniteCost, "the Jacobian contains NaN or Inf", iteration - 1);
                if (gradientNorm < options.GradientTolerance)
                    return Finish(TerminationType.GradientTolerance, $"‖Jᵀr‖∞ = {gradientNorm:E3} < {options.GradientTolerance:E1}", iteration - 1);
                subproblem.Factor(jacobian, working, m);
            }

            // min ‖J δ + r‖² + μ‖D δ‖², μ = 1/radius: the QR solution of [J; √μ D] δ = [−r; 0].
            double sqrtMu = Math.Sqrt(1 / radius);
            for (int j = 0; j < p; j++)
                damping[j] = sqrtMu * diagonal[j];
            subproblem.Solve(damping, step);

            double stepNorm = TensorPrimitives.Norm<double>(step), thetaNorm = TensorPrimitives.Norm<double>(theta);
            if (stepNorm <= options.ParameterTolerance * (thetaNorm + options.ParameterTolerance))
                return Finish(TerminationType.ParameterTolerance, $"‖δ‖ = {stepNorm:E3} ≤ {options.ParameterTolerance:E1}·(‖θ‖ + tol)", iteration - 1);

            // Predicted decrease of the linear model, ½‖r‖² − ½‖r + Jδ‖² = −(Jδ)ᵀ(r + Jδ/2) (Ceres' form: no
            // cancellation between two nearly equal costs).
            Array.Clear(modelChange);
            for (int j = 0; j < p; j++)
                TensorPrimitives.MultiplyAdd<double>(jacobian.AsSpan(j * m, m), step[j], modelChange, modelChange);
            double predictedDecrease = -(TensorPrimitives.Dot<double>(modelChange, working) + 0.5 * TensorPrimitives.Dot<double>(modelChange, modelChange));

            for (int j = 0; j < p; j++)
                trial[j] = theta[j] + step[j];
            double trialCost = problem.Cost(trial, trialResiduals);
            evaluations++;
            double ratio = double.IsFinite(trialCost) && predictedDecrease > 0 ? (cost - trialCost) / predictedDecrease : double.NegativeInfinity;
            bool accepted = ratio > options.MinRelativeDecrease;
            // At the rounding floor the ratio is noise: the model predicts a decrease smaller than the rounding
            // error of the cost itself, so comparing costs cannot judge the step. Such a step is taken when it
            // raises the cost by no more than that error and is no longer than the last accepted step (whose ratio
            // validated the model at that scale); the function tolerance then ends the solve. Ceres stops at this
            // candidate without taking it; taking it is one more Gauss-Newton step, which is what the last digits
            // of the parameters need where the cost is flat to rounding (NIST Rat43: 7.9 → 9.2 correct digits).
            double roundingFloor = CostRoundingUlps * MachineEpsilon * cost;
            if (!accepted && double.IsFinite(trialCost) && predictedDecrease > 0 && predictedDecrease <= roundingFloor
                && trialCost <= cost + roundingFloor && stepNorm <= lastAcceptedStep)
                accepted = true;
            double change = accepted ? cost - trialCost : 0;
            var record = new IterationSummary(iteration, accepted ? trialCost : cost, change, gradientNorm, stepNorm, 1 / radius, ratio, accepted, 0,
                Stopwatch.GetElapsedTime(started).TotalSeconds);
            history.Add(record);

            if (accepted)
            {
                trial.CopyTo(theta);
                lastAcceptedStep = stepNorm;
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
            new(termination, message, initialCost, cost, iterations, evaluations, jacobianEvaluations, Stopwatch.GetElapsedTime(started).TotalSeconds, history);
    }
}
