using NGGen.IO;
using NGGen.Solvers;

namespace NGGen.Samples.EdgeTrainer;

/// <summary>What one trainer iteration reports.</summary>
/// <param name="Row">The progress row (cost after the iteration, step, damping, …).</param>
/// <param name="Converged">The solver's own stopping test held (a vanished gradient; LM's tolerances): training is done.</param>
/// <param name="Diverged">The cost or gradient is no longer finite.</param>
/// <param name="Stepped">False when the solver stopped without taking a step: the iteration did not happen.</param>
public readonly record struct TrainerStep(IterationSummary Row, bool Converged, bool Diverged, bool Stepped = true);

/// <summary>A solver the trainer drives one iteration at a time and can checkpoint.</summary>
public interface ITrainerSolver
{
    /// <summary>The name on the command line and in checkpoints.</summary>
    string Name { get; }

    /// <summary>One iteration from θ (updated in place).</summary>
    TrainerStep Iterate(int iteration, Span<double> theta, double elapsedSeconds);

    /// <summary>The state besides θ that the next iteration needs.</summary>
    SolverState CaptureState();

    /// <summary>Continues from a checkpoint's state.</summary>
    void RestoreState(SolverState state);
}

/// <summary>Hessian-free Gauss-Newton (<see cref="GaussNewtonCgStepper{TModel}"/>), damping λ and warm start checkpointed.</summary>
public sealed class GaussNewtonCgSolver<TModel>(TrainingProblem<TModel> problem, GaussNewtonCgOptions options) : ITrainerSolver
    where TModel : IModel<TModel>
{
    private readonly GaussNewtonCgStepper<TModel> _stepper = new(problem, options);

    public string Name => GaussNewtonCgStepper<TModel>.StateName;

    public TrainerStep Iterate(int iteration, Span<double> theta, double elapsedSeconds)
    {
        var outcome = _stepper.Iterate(theta);
        var row = new IterationSummary(iteration, _stepper.Cost, outcome.Accepted ? outcome.CostBefore - outcome.TrialCost : 0, outcome.GradientMaxNorm,
            outcome.StepNorm, _stepper.Damping, outcome.Ratio, outcome.Accepted, outcome.CgIterations, elapsedSeconds);
        bool diverged = !double.IsFinite(outcome.CostBefore) || (!outcome.Stepped && !double.IsFinite(outcome.GradientMaxNorm));
        return new TrainerStep(row, Converged: !outcome.Stepped && !diverged, Diverged: diverged, Stepped: outcome.Stepped);
    }

    public SolverState CaptureState() => _stepper.CaptureState();

    public void RestoreState(SolverState state) => _stepper.RestoreState(state);
}

/// <summary>Adam on the gradient (<see cref="AdamStepper{TModel}"/>), moments checkpointed.</summary>
public sealed class AdamSolver<TModel>(TrainingProblem<TModel> problem, AdamOptions options) : ITrainerSolver
    where TModel : IModel<TModel>
{
    private readonly AdamStepper<TModel> _stepper = new(new GradientOracle<TModel>(problem), options);

    public string Name => AdamStepper<TModel>.StateName;

    public TrainerStep Iterate(int iteration, Span<double> theta, double elapsedSeconds)
    {
        var outcome = _stepper.Iterate(theta);
        var row = new IterationSummary(iteration, outcome.CostAfter, outcome.CostBefore - outcome.CostAfter, outcome.DirectionMaxNorm, outcome.StepNorm,
            0, double.NaN, double.IsFinite(outcome.CostAfter), 0, elapsedSeconds);
        return new TrainerStep(row, Converged: false, Diverged: !double.IsFinite(outcome.CostAfter));
    }

    public SolverState CaptureState() => _stepper.CaptureState();

    public void RestoreState(SolverState state) => _stepper.RestoreState(state);
}

/// <summary>Levenberg-Marquardt (<see cref="LevenbergMarquardtStepper{TModel}"/>, dense QR: for few parameters), trust
/// region checkpointed. Its own tolerances end training early, like the gradient test of GN-CG.</summary>
public sealed class LevenbergMarquardtSolver<TModel>(TrainingProblem<TModel> problem, LevenbergMarquardtOptions options) : ITrainerSolver
    where TModel : IModel<TModel>
{
    private readonly LevenbergMarquardtStepper<TModel> _stepper = new(problem, options);

    public string Name => LevenbergMarquardtStepper<TModel>.StateName;

    public TrainerStep Iterate(int iteration, Span<double> theta, double elapsedSeconds)
    {
        var outcome = _stepper.Iterate(iteration, theta, elapsedSeconds);
        bool diverged = outcome.Termination == TerminationType.NonFiniteCost;
        var row = outcome.Stepped ? outcome.Record
            : new IterationSummary(iteration, _stepper.Cost, 0, double.NaN, 0, double.NaN, double.NaN, false, 0, elapsedSeconds);
        return new TrainerStep(row, Converged: outcome.Termination is not null && !diverged, Diverged: diverged, Stepped: outcome.Stepped);
    }

    public SolverState CaptureState() => _stepper.CaptureState();

    public void RestoreState(SolverState state) => _stepper.RestoreState(state);
}
