using System.Diagnostics;
using System.Numerics.Tensors;

namespace NGGen.Solvers;

/// <summary>Options for <see cref="GaussNewtonCg"/>; CG stopping and damping follow Martens (2010).</summary>
public sealed record GaussNewtonCgOptions
{
    /// <summary>Maximum outer iterations. Default 100.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Maximum CG iterations per outer iteration. Default 250.</summary>
    public int MaxCgIterations { get; init; } = 250;

    /// <summary>Initial Tikhonov damping λ in (G + λI)δ = −g. Default 1.</summary>
    public double InitialDamping { get; init; } = 1.0;

    /// <summary>Martens' relative-progress CG stop: (qᵢ − q_{i−k}) / qᵢ &lt; k·ε with k = max(10, 0.1 i). Default 5e-4.
    /// 0 turns the test off: CG then runs exactly <see cref="MaxCgIterations"/> iterations unless it breaks down
    /// (zero residual or non-positive curvature), which makes a step reproducible by another implementation.</summary>
    public double CgEpsilon { get; init; } = 5e-4;

    /// <summary>CG starts from this × the previous step (warm start). Default 0.95; 0 starts every CG from δ = 0.</summary>
    public double WarmStartDecay { get; init; } = 0.95;

    /// <summary>Stop when ‖∇L‖∞ = ‖Jᵀg‖∞ falls below this. Default 1e-10.</summary>
    public double GradientTolerance { get; init; } = 1e-10;

    /// <summary>Stop when the accepted step ‖δ‖ ≤ this × (‖θ‖ + this). Default 1e-12.</summary>
    public double ParameterTolerance { get; init; } = 1e-12;

    /// <summary>Stop when an accepted step lowers the cost by at most this relative amount, (L_before − L) / L_before
    /// (Ceres' function_tolerance). Default 0 (off): GN-CG's inexact CG steps can gain little for a few iterations and
    /// then much again, and on the Quickstart's Poisson problem it was still lowering the loss by a relative 4e-4 per
    /// iteration after 1000 (twenty-sixth session); set it to end long runs where the gain no longer pays.</summary>
    public double FunctionTolerance { get; init; }

    /// <summary>Stop before an iteration once this much wall time (seconds) has passed; infinite by default.</summary>
    public double TimeBudgetSeconds { get; init; } = double.PositiveInfinity;

    /// <summary>Called after every iteration; return false to stop.</summary>
    public Func<IterationSummary, bool>? Callback { get; init; }
}

/// <summary>
/// Hessian-free Gauss-Newton (Martens 2010) for any output loss: conjugate gradients on (G + λI)δ = −∇L
/// with the generalised Gauss-Newton matrix G = JᵀHJ (H the loss curvature; I for least squares). Each
/// product is one linearized JVP and one linearized VJP at the iterate's linearization, so the forward
/// pass runs once per outer iteration, not twice per CG step. CG is warm-started from the previous step
/// and stopped by Martens' relative-progress rule; λ ×3/2 when the reduction ratio ρ &lt; 1/4 and ×2/3
/// when ρ &gt; 3/4. All buffers are allocated before the first iteration: the iterations allocate nothing.
/// <see cref="GaussNewtonCgStepper{TModel}"/> runs the iterations; use it directly to drive the loop yourself.
/// </summary>
public static class GaussNewtonCg
{
    /// <summary>Minimises the problem's cost from <paramref name="theta"/> (updated in place with the best parameters found).</summary>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, GaussNewtonCgOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new GaussNewtonCgOptions();
        int p = problem.ParameterCount;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        var clock = Stopwatch.StartNew();
        var stepper = new GaussNewtonCgStepper<TModel>(problem, options);
        var history = IterationHistory.Create(options.MaxIterations);

        double initialCost = stepper.Evaluate(theta);
        if (!double.IsFinite(initialCost))
            return Finish(TerminationType.NonFiniteCost, $"the cost at the initial parameters is {initialCost}", 0);

        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            if (clock.Elapsed.TotalSeconds >= options.TimeBudgetSeconds)
                return Finish(TerminationType.TimeBudget, $"used the time budget of {options.TimeBudgetSeconds} s", iteration - 1);

            var outcome = stepper.Iterate(theta);
            if (!outcome.Stepped)
                return double.IsFinite(outcome.GradientMaxNorm)
                    ? Finish(TerminationType.GradientTolerance, $"‖∇L‖∞ = {outcome.GradientMaxNorm:E3} < {options.GradientTolerance:E1}", iteration - 1)
                    : Finish(TerminationType.NonFiniteCost, "the gradient contains NaN or Inf", iteration - 1);
            var record = new IterationSummary(iteration, stepper.Cost, outcome.Accepted ? outcome.CostBefore - outcome.TrialCost : 0, outcome.GradientMaxNorm,
                outcome.StepNorm, stepper.Damping, outcome.Ratio, outcome.Accepted, outcome.CgIterations, clock.Elapsed.TotalSeconds);
            history.Add(record);
            if (outcome.Accepted && outcome.StepNorm <= options.ParameterTolerance * (TensorPrimitives.Norm<double>(theta) + options.ParameterTolerance))
                return Finish(TerminationType.ParameterTolerance, $"‖δ‖ = {outcome.StepNorm:E3} is below the parameter tolerance", iteration);
            if (outcome.Accepted && options.FunctionTolerance > 0 && outcome.CostBefore - outcome.TrialCost <= options.FunctionTolerance * outcome.CostBefore)
                return Finish(TerminationType.FunctionTolerance, $"the cost fell by a relative {(outcome.CostBefore - outcome.TrialCost) / outcome.CostBefore:E2} ≤ {options.FunctionTolerance:E0}", iteration);
            if (options.Callback is { } callback && !callback(record))
                return Finish(TerminationType.UserStopped, "stopped by the callback", iteration);
        }
        return Finish(TerminationType.MaxIterations, $"reached {options.MaxIterations} iterations", options.MaxIterations);

        SolverSummary Finish(TerminationType termination, string message, int iterations) =>
            new(termination, message + $"; {stepper.Products} Gauss-Newton products", initialCost, stepper.Cost, iterations, stepper.Evaluations, 0,
                clock.Elapsed.TotalSeconds, history);
    }
}
