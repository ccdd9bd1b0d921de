using NGGen.LinearAlgebra;
using System.Numerics.Tensors;
using System.Diagnostics;

namespace NGGen.Solvers;

/// <summary>Options for <see cref="EnergyNaturalGradient"/>; defaults follow Müller and Zeinhofer (2023).</summary>
public sealed record EnergyNaturalGradientOptions
{
    /// <summary>Maximum iterations. Default 500.</summary>
    public int MaxIterations { get; init; } = 500;

    /// <summary>The grid line search tries η = 0.5^k for k = 0..this. Default 30.</summary>
    public int LineSearchExponents { get; init; } = 30;

    /// <summary>Tikhonov shift relative to the largest Gramian diagonal entry, which regularises the
    /// (typically rank-deficient) Gramian like a pseudo-inverse cutoff. Default 1e-12.</summary>
    public double RelativeDamping { get; init; } = 1e-12;

    /// <summary>How the Gramian system is solved. Default <see cref="GramianSolver.PseudoInverse"/>.</summary>
    public GramianSolver Solver { get; init; } = GramianSolver.PseudoInverse;

    /// <summary>The eigensolver of the pseudo-inverse. Default <see cref="SymmetricEigenMethod.Jacobi"/>.
    /// <see cref="SymmetricEigenMethod.TridiagonalQl"/> is several times faster (3 ms against 16 ms at p = 129), and G = JᵀJ
    /// is known only to about ε‖G‖ either way. On the Quickstart's Poisson problem from seeds 0-4 (both stopping on
    /// <see cref="PredictedDecreaseTolerance"/> at the loss floor) Jacobi took 50-149 iterations and 1.9-3.9 s to
    /// relative L2 errors of 3.6e-8 to 9.4e-7, QL 84-367 iterations and 1.4-3.8 s to 1.1e-7 to 3.7e-6.</summary>
    public SymmetricEigenMethod EigenMethod { get; init; } = SymmetricEigenMethod.Jacobi;

    /// <summary>Eigenvalues of G below this × the largest are dropped (like lstsq's rcond ≈ ε·p);
    /// it bounds the step along directions the data barely determines. Default 1e-14.</summary>
    public double PseudoInverseCutoff { get; init; } = 1e-14;

    /// <summary>Stop when ‖∇L‖∞ falls below this. Default 1e-14.</summary>
    public double GradientTolerance { get; init; } = 1e-14;

    /// <summary>Stop when an accepted step reduces the loss by less than this relative amount. Default 0
    /// (off): ENGD often crawls along a plateau before converging fast, and a relative-decrease test
    /// stops it there; the predicted-decrease test below separates the two.</summary>
    public double FunctionTolerance { get; init; }

    /// <summary>Stop when a full step along d would lower the loss by at most this relative amount if the residuals
    /// were linear, and the step just taken lowered it by at most this much too. The first is ∇L·d / (2L) =
    /// ‖P r‖² / ‖r‖², the share of the residual the linearization can still remove
    /// (<see cref="EnergyNaturalGradientOutcome.PredictedRelativeDecrease"/>; Bates and Watts' relative offset, squared);
    /// it is near 1 on a plateau. Default 1e-6; 0 turns it off. It ends what the step-size test below can miss: at the
    /// loss floor of the Quickstart's Poisson problem the step ‖η d‖ stayed about 1e-5 for 150 iterations, along
    /// directions the data barely determine, while the loss fell by a relative 1e-8 per iteration (and that share was
    /// 1e-8 to 4e-8). Requiring the achieved decrease too keeps iterating where the linear model is poor but steps
    /// still pay.</summary>
    public double PredictedDecreaseTolerance { get; init; } = 1e-6;

    /// <summary>Stop when the step ‖η d‖ ≤ this × (‖θ‖ + this). Default 1e-12.</summary>
    public double ParameterTolerance { get; init; } = 1e-12;

    /// <summary>Stop after this much wall time (seconds); infinite by default.</summary>
    public double TimeBudgetSeconds { get; init; } = double.PositiveInfinity;

    /// <summary>Called after every iteration; return false to stop.</summary>
    public Func<IterationSummary, bool>? Callback { get; init; }
}

/// <summary>How the natural-gradient system G d = ∇L (G = JᵀJ) is solved.</summary>
public enum GramianSolver
{
    /// <summary>G⁺∇L from the eigendecomposition of G, dropping relatively tiny eigenvalues (the paper's choice).</summary>
    PseudoInverse,
    /// <summary>Householder QR least squares on J itself (accurate: κ(J), not κ(J)²). Needs m ≥ p.</summary>
    LeastSquaresQr,
    /// <summary>Cholesky of JᵀJ + shift·I (cheap for m ≫ p, but squares the condition number).</summary>
    DampedCholesky,
}

/// <summary>
/// Energy natural gradient descent for PDE residual losses (Müller and Zeinhofer 2023). For
/// L(θ) = ½‖r(θ)‖² with residuals that are linear in u (e.g. −Δu − f and u on the boundary), the
/// energy Gramian is the Gauss-Newton matrix G = JᵀJ of the residuals; the step is θ ← θ − η G⁺∇L
/// with η chosen on the grid 0.5^k, k = 0..30, by the smallest loss.
/// </summary>
/// <remarks>
/// ENGD is not globally convergent. It often crawls along a plateau before converging fast, and from a
/// minority of initialisations it stalls for hundreds of iterations (a 1D Poisson PINN with 8 tanh
/// units: 56 of 60 seeds converge within 300 iterations with the default cutoff 1e-14; 28 of 60 with
/// 1e-10; none with 1e-8). On the plateau the trajectory is chaotic: last-bit differences decide
/// between the outcomes, so compare runs statistically, not by one seed.
/// <see cref="EnergyNaturalGradientStepper{TModel}"/> runs the iterations; use it directly to drive the loop yourself.
/// </remarks>
public static class EnergyNaturalGradient
{
    /// <summary>Runs ENGD from <paramref name="theta"/> (updated in place with the best parameters found).</summary>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, EnergyNaturalGradientOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new EnergyNaturalGradientOptions();
        var clock = Stopwatch.StartNew();
        var stepper = new EnergyNaturalGradientStepper<TModel>(problem, options);
        var history = IterationHistory.Create(options.MaxIterations);

        double initialCost = stepper.Evaluate(theta);
        if (!double.IsFinite(initialCost))
            return Finish(TerminationType.NonFiniteCost, $"the loss at the initial parameters is {initialCost}", 0);

        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            if (clock.Elapsed.TotalSeconds >= options.TimeBudgetSeconds)
                return Finish(TerminationType.TimeBudget, $"used the time budget of {options.TimeBudgetSeconds} s", iteration - 1);

            var outcome = stepper.Iterate(theta);
            if (!outcome.Stepped)
                return double.IsFinite(outcome.GradientMaxNorm)
                    ? Finish(TerminationType.GradientTolerance, $"‖∇L‖∞ = {outcome.GradientMaxNorm:E3} < {options.GradientTolerance:E1}", iteration - 1)
                    : Finish(TerminationType.NonFiniteCost, "the Jacobian contains NaN or Inf", iteration - 1);
            var record = new IterationSummary(iteration, outcome.Cost, outcome.CostBefore - outcome.Cost, outcome.GradientMaxNorm,
                outcome.StepNorm, outcome.Regularization, double.NaN, outcome.Accepted, 0, clock.Elapsed.TotalSeconds);
            history.Add(record);
            if (!outcome.Accepted)
                return Finish(TerminationType.NoProgress, $"no step size on the grid 0.5^k reduced the loss (eigenvalue cutoff raised to {outcome.Regularization:E0})", iteration);
            double previous = outcome.CostBefore, cost = outcome.Cost;
            if (options.FunctionTolerance > 0 && previous - cost <= options.FunctionTolerance * previous)
                return Finish(TerminationType.FunctionTolerance, $"the loss fell by a relative {(previous - cost) / previous:E2} ≤ {options.FunctionTolerance:E0}", iteration);
            // Both the linear model and the step just taken must say that nothing is left, so that a residual the
            // linearization barely sees does not end a run whose steps still pay. In every run measured (the
            // Quickstart from seeds 0-4, PinnPoisson's 2D and 5D problems) the two agreed where it stopped.
            if (outcome.PredictedRelativeDecrease <= options.PredictedDecreaseTolerance && previous - cost <= options.PredictedDecreaseTolerance * previous)
                return Finish(TerminationType.FunctionTolerance, $"a full step would lower the loss by a relative {outcome.PredictedRelativeDecrease:E2} at most (linear residuals) and this one lowered it by {(previous - cost) / previous:E2}, both ≤ {options.PredictedDecreaseTolerance:E0}", iteration);
            if (outcome.StepNorm <= options.ParameterTolerance * (TensorPrimitives.Norm<double>(theta) + options.ParameterTolerance))
                return Finish(TerminationType.ParameterTolerance, $"the step ‖ηd‖ = {outcome.StepNorm:E2} is below the parameter tolerance", iteration);
            if (options.Callback is { } callback && !callback(record))
                return Finish(TerminationType.UserStopped, "stopped by the callback", iteration);
        }
        return Finish(TerminationType.MaxIterations, $"reached {options.MaxIterations} iterations", options.MaxIterations);

        SolverSummary Finish(TerminationType termination, string message, int iterations) =>
            new(termination, message, initialCost, stepper.Cost, iterations, stepper.Evaluations, stepper.Jacobians, clock.Elapsed.TotalSeconds, history);
    }
}
