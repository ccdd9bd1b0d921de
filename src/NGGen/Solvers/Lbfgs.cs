using NGGen.Kernels;
using System.Diagnostics;
using System.Numerics.Tensors;

namespace NGGen.Solvers;

/// <summary>Options for <see cref="Lbfgs"/> and <see cref="GradientDescent"/>.</summary>
public sealed record FirstOrderOptions
{
    /// <summary>Maximum iterations. Default 1000.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>L-BFGS memory (pairs kept). Default 10.</summary>
    public int Memory { get; init; } = 10;

    /// <summary>Gradient descent step size (L-BFGS starts its line search at 1). Default 1e-2.</summary>
    public double LearningRate { get; init; } = 1e-2;

    /// <summary>Stop when ‖∇L‖∞ falls below this. Default 1e-10.</summary>
    public double GradientTolerance { get; init; } = 1e-10;

    /// <summary>Armijo constant of the backtracking line search. Default 1e-4.</summary>
    public double Armijo { get; init; } = 1e-4;

    /// <summary>Stop after this much wall time (seconds); infinite by default.</summary>
    public double TimeBudgetSeconds { get; init; } = double.PositiveInfinity;

    /// <summary>Called after every iteration; return false to stop.</summary>
    public Func<IterationSummary, bool>? Callback { get; init; }
}

/// <summary>
/// Limited-memory BFGS (Nocedal 1980) on the problem's cost L(θ) (any output loss), with the two-loop recursion, the
/// initial scaling sᵀy/yᵀy, and a backtracking Armijo line search from step 1. Pairs with sᵀy ≤ 0 are
/// skipped so the implicit inverse Hessian stays positive definite.
/// </summary>
public static class Lbfgs
{
    /// <summary>Minimises from <paramref name="theta"/> (updated in place).</summary>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, FirstOrderOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new FirstOrderOptions();
        int p = problem.ParameterCount, m = problem.ResidualCount, memory = options.Memory;
        FirstOrderChecks.Validate<TModel>(theta, p, options);
        var clock = Stopwatch.StartNew();
        var newS = new double[p];
        var newY = new double[p];
        var residuals = new double[m];
        var scratch = new double[m];
        var gradient = new double[p];
        var nextGradient = new double[p];
        var direction = new double[p];
        var trial = new double[p];
        var s = new double[memory][];
        var y = new double[memory][];
        for (int k = 0; k < memory; k++)
        {
            s[k] = new double[p];
            y[k] = new double[p];
        }
        var rho = new double[memory];
        var alpha = new double[memory];
        var history = IterationHistory.Create(options.MaxIterations);
        int stored = 0, newest = -1, evaluations = 0;

        double cost = Evaluate(theta, gradient);
        double initialCost = cost;
        if (!double.IsFinite(cost))
            return Finish(TerminationType.NonFiniteCost, $"the cost at the initial parameters is {cost}", 0);
        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            double gradientNorm = Math.Abs(TensorPrimitives.MaxMagnitude<double>(gradient));
            if (gradientNorm < options.GradientTolerance)
                return Finish(TerminationType.GradientTolerance, $"‖∇L‖∞ = {gradientNorm:E3} < {options.GradientTolerance:E1}", iteration - 1);
            if (clock.Elapsed.TotalSeconds >= options.TimeBudgetSeconds)
                return Finish(TerminationType.TimeBudget, $"used the time budget of {options.TimeBudgetSeconds} s", iteration - 1);

            // Two-loop recursion: direction = −H∇L.
            gradient.CopyTo(direction, 0);
            for (int i = 0, k = newest; i < stored; i++, k = (k - 1 + memory) % memory)
            {
                alpha[k] = rho[k] * TensorPrimitives.Dot<double>(s[k], direction);
                CachedArithmetic.AddScaled(-alpha[k], y[k], direction);
            }
            if (stored > 0)
                TensorPrimitives.Multiply<double>(direction, TensorPrimitives.Dot<double>(s[newest], y[newest]) / TensorPrimitives.Dot<double>(y[newest], y[newest]), direction);
            else
                TensorPrimitives.Multiply<double>(direction, 1 / Math.Max(gradientNorm, 1e-300), direction);
            for (int i = 0, k = (newest - stored + 1 + memory) % memory; i < stored; i++, k = (k + 1) % memory)
            {
                double beta = rho[k] * TensorPrimitives.Dot<double>(y[k], direction);
                CachedArithmetic.AddScaled(alpha[k] - beta, s[k], direction);
            }
            TensorPrimitives.Negate<double>(direction, direction);
            double slope = TensorPrimitives.Dot<double>(gradient, direction);
            if (!(slope < 0))
            {
                // Lost descent (numerically): restart from steepest descent.
                stored = 0;
                TensorPrimitives.Multiply<double>(gradient, -1 / gradientNorm, direction);
                slope = TensorPrimitives.Dot<double>(gradient, direction);
            }

            double step = 1, nextCost = double.NaN;
            bool found = false;
            for (int backtrack = 0; backtrack < 60; backtrack++, step *= 0.5)
            {
                TensorPrimitives.MultiplyAdd<double>(direction, step, theta, trial);
                nextCost = Evaluate(trial, nextGradient);
                if (double.IsFinite(nextCost) && nextCost <= cost + options.Armijo * step * slope)
                {
                    found = true;
                    break;
                }
            }
            if (!found)
                return Finish(TerminationType.NoProgress, "the line search found no step satisfying the Armijo condition", iteration - 1);

            // Store s = Δθ, y = Δ∇L only when sᵀy > 0; build the pair in scratch first so a rejected
            // pair never overwrites the oldest stored one.
            TensorPrimitives.Subtract<double>(trial, theta, newS);
            TensorPrimitives.Subtract<double>(nextGradient, gradient, newY);
            double sy = TensorPrimitives.Dot<double>(newS, newY);
            if (sy > 0)
            {
                int slot = (newest + 1) % memory;
                newS.CopyTo(s[slot], 0);
                newY.CopyTo(y[slot], 0);
                rho[slot] = 1 / sy;
                newest = slot;
                stored = Math.Min(stored + 1, memory);
            }
            double change = cost - nextCost;
            trial.CopyTo(theta);
            nextGradient.CopyTo(gradient, 0);
            cost = nextCost;
            var record = new IterationSummary(iteration, cost, change, gradientNorm, step * TensorPrimitives.Norm<double>(direction), 0, double.NaN, true, 0, clock.Elapsed.TotalSeconds);
            history.Add(record);
            if (options.Callback is { } callback && !callback(record))
                return Finish(TerminationType.UserStopped, "stopped by the callback", iteration);
        }
        return Finish(TerminationType.MaxIterations, $"reached {options.MaxIterations} iterations", options.MaxIterations);

        double Evaluate(ReadOnlySpan<double> at, Span<double> g)
        {
            evaluations++;
            double c = problem.Evaluate(at, residuals);
            problem.LinearizedVjp(at, residuals, g, scratch, GradientWrite.Overwrite);   // at the point Evaluate just linearized
            return c;
        }

        SolverSummary Finish(TerminationType termination, string message, int iterations) =>
            new(termination, message, initialCost, cost, iterations, evaluations, 0, clock.Elapsed.TotalSeconds, history);
    }
}

/// <summary>Plain gradient descent θ ← θ − lr·∇L on L(θ) (the first-order baseline the papers compare against).</summary>
public static class GradientDescent
{
    /// <summary>Runs gradient descent from <paramref name="theta"/> (updated in place; on a non-finite cost the last good θ is kept).</summary>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, FirstOrderOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new FirstOrderOptions();
        int p = problem.ParameterCount, m = problem.ResidualCount;
        FirstOrderChecks.Validate<TModel>(theta, p, options);
        var clock = Stopwatch.StartNew();
        var residuals = new double[m];
        var scratch = new double[m];
        var gradient = new double[p];
        var lastGood = theta.ToArray();
        var history = IterationHistory.Create(options.MaxIterations);
        double cost = problem.Evaluate(theta, residuals), initialCost = cost;
        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            problem.LinearizedVjp(theta, residuals, gradient, scratch, GradientWrite.Overwrite);   // θ was the last point evaluated
            double gradientNorm = Math.Abs(TensorPrimitives.MaxMagnitude<double>(gradient));
            if (gradientNorm < options.GradientTolerance)
                return new(TerminationType.GradientTolerance, $"‖∇L‖∞ = {gradientNorm:E3} < {options.GradientTolerance:E1}", initialCost, cost, iteration - 1, iteration, 0, clock.Elapsed.TotalSeconds, history);
            if (clock.Elapsed.TotalSeconds >= options.TimeBudgetSeconds)
                return new(TerminationType.TimeBudget, $"used the time budget of {options.TimeBudgetSeconds} s", initialCost, cost, iteration - 1, iteration, 0, clock.Elapsed.TotalSeconds, history);
            TensorPrimitives.MultiplyAdd<double>(gradient, -options.LearningRate, theta, theta);
            double next = problem.Evaluate(theta, residuals);
            if (!double.IsFinite(next))
            {
                lastGood.CopyTo(theta);
                problem.Evaluate(theta, residuals);
                return new(TerminationType.NonFiniteCost, $"the cost became {next} at iteration {iteration} (learning rate {options.LearningRate} too large?); the last finite parameters are kept", initialCost, cost, iteration, iteration + 1, 0, clock.Elapsed.TotalSeconds, history);
            }
            var record = new IterationSummary(iteration, next, cost - next, gradientNorm, options.LearningRate * TensorPrimitives.Norm<double>(gradient), 0, double.NaN, true, 0, clock.Elapsed.TotalSeconds);
            cost = next;
            theta.CopyTo(lastGood);
            history.Add(record);
            if (options.Callback is { } callback && !callback(record))
                return new(TerminationType.UserStopped, "stopped by the callback", initialCost, cost, iteration, iteration + 1, 0, clock.Elapsed.TotalSeconds, history);
        }
        return new(TerminationType.MaxIterations, $"reached {options.MaxIterations} iterations", initialCost, cost, options.MaxIterations, options.MaxIterations + 1, 0, clock.Elapsed.TotalSeconds, history);
    }
}

internal static class FirstOrderChecks
{
    public static void Validate<TModel>(ReadOnlySpan<double> theta, int parameterCount, FirstOrderOptions options) where TModel : IModel<TModel>
    {
        if (theta.Length != parameterCount)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {parameterCount} parameters.", nameof(theta));
        if (options.Memory < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Memory, "FirstOrderOptions.Memory must be at least 1.");
        if (!(options.LearningRate > 0) || double.IsInfinity(options.LearningRate))
            throw new ArgumentOutOfRangeException(nameof(options), options.LearningRate, "FirstOrderOptions.LearningRate must be positive and finite.");
        if (options.MaxIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxIterations, "FirstOrderOptions.MaxIterations must not be negative.");
    }
}
