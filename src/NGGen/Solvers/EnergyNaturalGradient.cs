using System.Numerics.Tensors;
using System.Diagnostics;
using NGGen.Kernels;
using NGGen.LinearAlgebra;

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

    /// <summary>Eigenvalues of G below this × the largest are dropped (like lstsq's rcond ≈ ε·p);
    /// it bounds the step along directions the data barely determines. Default 1e-14.</summary>
    public double PseudoInverseCutoff { get; init; } = 1e-14;

    /// <summary>Stop when ‖∇L‖∞ falls below this. Default 1e-14.</summary>
    public double GradientTolerance { get; init; } = 1e-14;

    /// <summary>Stop when an accepted step reduces the loss by less than this relative amount. Default 0
    /// (off): ENGD often crawls along a plateau before converging fast, and a relative-decrease test
    /// stops it there; the step-size test below separates the two (plateau steps ~1e-3, converged ~1e-13).</summary>
    public double FunctionTolerance { get; init; }

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
/// </remarks>
public static class EnergyNaturalGradient
{
    // Beyond this relative eigenvalue cutoff the step is essentially a gradient step; stop there.
    private const double MaxCutoff = 1e-2;

    /// <summary>Runs ENGD from <paramref name="theta"/> (updated in place with the best parameters found).</summary>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, EnergyNaturalGradientOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new EnergyNaturalGradientOptions();
        int p = problem.ParameterCount, m = problem.ResidualCount;
        problem.RequireSquaredLoss("EnergyNaturalGradient");
        var clock = Stopwatch.StartNew();
        var residuals = new double[m];
        var trialResiduals = new double[m];
        var jacobian = new double[m * p];
        var gramian = new double[p * p];
        var gradient = new double[p];
        var direction = new double[p];
        var trial = new double[p];
        var best = new double[p];
        var cholesky = new Cholesky(p);
        var qr = new HouseholderQr(Math.Max(m, p), p);
        var eigen = new SymmetricEigen(p);
        var history = new List<IterationSummary>(Math.Min(options.MaxIterations, 100_000));

        double cost = problem.Cost(theta, residuals);
        double initialCost = cost;
        int evaluations = 1, jacobians = 0;
        if (!double.IsFinite(cost))
            return Finish(TerminationType.NonFiniteCost, $"the loss at the initial parameters is {cost}", 0);

        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            if (clock.Elapsed.TotalSeconds >= options.TimeBudgetSeconds)
                return Finish(TerminationType.TimeBudget, $"used the time budget of {options.TimeBudgetSeconds} s", iteration - 1);

            problem.Jacobian(theta, jacobian);
            jacobians++;
            // G = JᵀJ and ∇L = Jᵀr as GEMMs over the residual dimension.
            Gemm.Multiply<double>(true, false, p, p, m, jacobian, p, jacobian, p, gramian, p, false);
            Gemm.Multiply<double>(true, false, p, 1, m, jacobian, p, residuals, 1, gradient, 1, false);
            double gradientNorm = 0, largestDiagonal = 0;
            for (int j = 0; j < p; j++)
            {
                gradientNorm = Math.Max(gradientNorm, Math.Abs(gradient[j]));
                largestDiagonal = Math.Max(largestDiagonal, gramian[j * p + j]);
            }
            if (!double.IsFinite(gradientNorm))
                return Finish(TerminationType.NonFiniteCost, "the Jacobian contains NaN or Inf", iteration - 1);
            if (gradientNorm < options.GradientTolerance)
                return Finish(TerminationType.GradientTolerance, $"‖∇L‖∞ = {gradientNorm:E3} < {options.GradientTolerance:E1}", iteration - 1);

            double shift = 0;
            double cutoff = options.PseudoInverseCutoff;
            if (options.Solver == GramianSolver.PseudoInverse)
                eigen.Decompose(gramian, p);
            else if (options.Solver == GramianSolver.LeastSquaresQr)
                qr.Factor(jacobian, m, p);
            double bestCost = double.PositiveInfinity, bestEta = 0;
            while (true)
            {
                if (options.Solver == GramianSolver.PseudoInverse)
                {
                    eigen.SolvePseudoInverse(gradient, direction, cutoff);
                }
                else if (options.Solver == GramianSolver.LeastSquaresQr)
                {
                    // d = argmin ‖J d − r‖: the same function-space step as G⁺∇L, without squaring κ(J).
                    qr.Solve(residuals, direction);
                }
                else
                {
                    shift = Math.Max(options.RelativeDamping * largestDiagonal, double.Epsilon);
                    while (!cholesky.TryFactor(gramian, p, shift))
                        shift *= 10;
                    cholesky.Solve(gradient, direction);
                }

                // Grid line search over η = 0.5^k: keep the smallest loss.
                double eta = 1;
                for (int k = 0; k <= options.LineSearchExponents; k++, eta *= 0.5)
                {
                    for (int j = 0; j < p; j++)
                        trial[j] = theta[j] - eta * direction[j];
                    double trialCost = problem.Cost(trial, trialResiduals);
                    evaluations++;
                    if (trialCost < bestCost)
                    {
                        bestCost = trialCost;
                        bestEta = eta;
                        trial.CopyTo(best, 0);
                    }
                }
                // G⁺∇L is a descent direction, but its components along barely-determined
                // eigen-directions can be so long that even η = 2⁻³⁰ overshoots. Then drop more of
                // them (a larger cutoff gives a shorter, better-determined step) and search again.
                if (bestCost < cost || options.Solver != GramianSolver.PseudoInverse || cutoff >= MaxCutoff)
                    break;
                cutoff *= 100;
            }
            bool accepted = bestCost < cost;
            var record = new IterationSummary(iteration, accepted ? bestCost : cost, accepted ? cost - bestCost : 0, gradientNorm,
                bestEta * TensorPrimitives.Norm<double>(direction), options.Solver == GramianSolver.PseudoInverse ? cutoff : shift, double.NaN, accepted, 0, clock.Elapsed.TotalSeconds);
            history.Add(record);
            if (!accepted)
                return Finish(TerminationType.NoProgress, $"no step size on the grid 0.5^k reduced the loss (eigenvalue cutoff raised to {cutoff:E0})", iteration);
            double previous = cost, stepNorm = bestEta * TensorPrimitives.Norm<double>(direction);
            best.CopyTo(theta);
            cost = problem.Cost(theta, residuals);
            evaluations++;
            if (options.FunctionTolerance > 0 && previous - cost <= options.FunctionTolerance * previous)
                return Finish(TerminationType.FunctionTolerance, $"the loss fell by a relative {(previous - cost) / previous:E2} ≤ {options.FunctionTolerance:E0}", iteration);
            if (stepNorm <= options.ParameterTolerance * (TensorPrimitives.Norm<double>(theta) + options.ParameterTolerance))
                return Finish(TerminationType.ParameterTolerance, $"the step ‖ηd‖ = {stepNorm:E2} is below the parameter tolerance", iteration);
            if (options.Callback is { } callback && !callback(record))
                return Finish(TerminationType.UserStopped, "stopped by the callback", iteration);
        }
        return Finish(TerminationType.MaxIterations, $"reached {options.MaxIterations} iterations", options.MaxIterations);

        SolverSummary Finish(TerminationType termination, string message, int iterations) =>
            new(termination, message, initialCost, cost, iterations, evaluations, jacobians, clock.Elapsed.TotalSeconds, history);
    }

}
