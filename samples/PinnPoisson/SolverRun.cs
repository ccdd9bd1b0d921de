namespace NGGen.Samples.PinnPoisson;

/// <summary>The four optimizers the paper compares.</summary>
public enum SolverKind
{
    /// <summary>Energy natural gradient with the grid line search (NGGen's <c>EnergyNaturalGradient</c>).</summary>
    EnergyNaturalGradient,
    /// <summary>Adam at a constant learning rate.</summary>
    Adam,
    /// <summary>Gradient descent with the grid line search (<see cref="GridLineSearchDescent"/>).</summary>
    GradientDescent,
    /// <summary>L-BFGS with memory 10 and Armijo backtracking (NGGen's <c>Lbfgs</c>).</summary>
    Lbfgs,
}

/// <summary>One point of an error curve.</summary>
/// <param name="Iteration">Iterations done (0 = the initial network).</param>
/// <param name="Seconds">Solver wall time so far, without the time spent measuring errors.</param>
/// <param name="Loss">The training loss.</param>
/// <param name="RelativeL2Error">‖u_θ − u*‖₂ / ‖u*‖₂ on the test set.</param>
public sealed record ErrorPoint(int Iteration, double Seconds, double Loss, double RelativeL2Error);

/// <summary>One solver's run on one problem.</summary>
/// <param name="Problem">The problem's name.</param>
/// <param name="Solver">The optimizer.</param>
/// <param name="Iterations">Iterations done.</param>
/// <param name="Seconds">Solver wall time, without the time spent measuring errors.</param>
/// <param name="FinalLoss">The final training loss.</param>
/// <param name="RelativeL2Error">The final relative L2 error.</param>
/// <param name="Termination">Why it stopped, in words.</param>
/// <param name="Curve">The error against iterations and time, from iteration 0 to the end.</param>
public sealed record SolverRun(string Problem, SolverKind Solver, int Iterations, double Seconds, double FinalLoss,
    double RelativeL2Error, string Termination, IReadOnlyList<ErrorPoint> Curve)
{
    /// <summary>The first time at which the error reached <paramref name="target"/> or less; NaN if it never did.</summary>
    public double SecondsToReach(double target) => Curve.FirstOrDefault(p => p.RelativeL2Error <= target)?.Seconds ?? double.NaN;

    /// <summary>The smallest error on the curve at or before <paramref name="seconds"/>.</summary>
    public double BestErrorWithin(double seconds) =>
        Curve.Where(p => p.Seconds <= seconds).Select(p => p.RelativeL2Error).DefaultIfEmpty(double.NaN).Min();
}

/// <summary>All runs of a problem, with what the problem was.</summary>
/// <param name="Problem">The problem's name.</param>
/// <param name="Description">Network, points and budget in words.</param>
/// <param name="Parameters">Network parameters.</param>
/// <param name="CollocationPoints">Training points over all residual blocks.</param>
/// <param name="BudgetSeconds">ENGD's wall time: the budget of gradient descent and L-BFGS (Adam stops when ENGD does).</param>
/// <param name="Runs">One run per solver.</param>
public sealed record ProblemResult(string Problem, string Description, int Parameters, int CollocationPoints, double BudgetSeconds,
    IReadOnlyList<SolverRun> Runs)
{
    /// <summary>The run of <paramref name="solver"/>.</summary>
    public SolverRun Run(SolverKind solver) => Runs.Single(r => r.Solver == solver);
}
