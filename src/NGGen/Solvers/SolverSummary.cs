namespace NGGen.Solvers;

/// <summary>Why a solver stopped (Ceres/Optimistix vocabulary).</summary>
public enum TerminationType
{
    /// <summary>|Δcost| / cost, or the relative decrease a full step predicts, fell below the function tolerance.</summary>
    FunctionTolerance,
    /// <summary>‖gradient‖∞ fell below the gradient tolerance.</summary>
    GradientTolerance,
    /// <summary>‖step‖ fell below parameter tolerance × (‖θ‖ + tolerance).</summary>
    ParameterTolerance,
    /// <summary>The iteration limit was reached without convergence.</summary>
    MaxIterations,
    /// <summary>The cost or its derivatives became NaN/Inf; the last good parameters are kept.</summary>
    NonFiniteCost,
    /// <summary>No step could reduce the cost (the trust region collapsed, or no line-search step descended).</summary>
    NoProgress,
    /// <summary>The per-iteration callback returned false.</summary>
    UserStopped,
    /// <summary>The wall-time budget in the options was used up.</summary>
    TimeBudget,
}

/// <summary>One iteration as reported to callbacks and in the report table.</summary>
public readonly record struct IterationSummary(
    int Iteration,
    double Cost,
    double CostChange,
    double GradientMaxNorm,
    double StepNorm,
    double Damping,
    double Ratio,
    bool StepAccepted,
    int InnerIterations,
    double Seconds);

/// <summary>The result of a solve.</summary>
/// <param name="Termination">Why the solver stopped.</param>
/// <param name="Message">The reason in words.</param>
/// <param name="InitialCost">Cost at the initial parameters.</param>
/// <param name="FinalCost">Cost at the returned parameters.</param>
/// <param name="Iterations">Iterations run (accepted and rejected steps).</param>
/// <param name="Evaluations">Residual evaluations.</param>
/// <param name="JacobianEvaluations">Jacobian evaluations.</param>
/// <param name="TotalSeconds">Wall time.</param>
/// <param name="History">Per-iteration records.</param>
public sealed record SolverSummary(
    TerminationType Termination,
    string Message,
    double InitialCost,
    double FinalCost,
    int Iterations,
    int Evaluations,
    int JacobianEvaluations,
    double TotalSeconds,
    IReadOnlyList<IterationSummary> History)
{
    /// <summary>True when the solver stopped on a convergence test.</summary>
    public bool Converged => Termination is TerminationType.FunctionTolerance or TerminationType.GradientTolerance or TerminationType.ParameterTolerance;

    /// <summary>A readable report in the style of Ceres' FullReport.</summary>
    public string FullReport()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(SolverProgress.Header);
        foreach (var it in History)
            text.AppendLine(SolverProgress.Row(it));
        text.AppendLine(System.FormattableString.Invariant($"Initial cost {InitialCost:E10}, final cost {FinalCost:E10}"));
        text.AppendLine(System.FormattableString.Invariant($"Iterations {Iterations}, residual evaluations {Evaluations}, Jacobian evaluations {JacobianEvaluations}, time {TotalSeconds:F4} s"));
        text.AppendLine($"Termination: {Termination} ({Message})");
        return text.ToString();
    }
}

/// <summary>The per-iteration history list every solver returns in <see cref="SolverSummary.History"/>.</summary>
internal static class IterationHistory
{
    // Up front for the iterations most solves run; a longer run grows the list by doubling, so past this it
    // allocates at iterations 64, 128, 256, ... only. Sizing it for MaxIterations instead cost a curve fit
    // (MaxIterations 1000, ~15 iterations) 72 KB per solve.
    private const int InitialCapacity = 64;

    public static List<IterationSummary> Create(int maxIterations) => new(Math.Clamp(maxIterations, 0, InitialCapacity));
}
