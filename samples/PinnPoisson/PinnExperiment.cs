using System.Collections.Concurrent;
using System.Diagnostics;
using NGGen.Solvers;

namespace NGGen.Samples.PinnPoisson;

/// <summary>Trains each problem's network from one initialisation with each solver: energy natural gradient for a
/// fixed number of iterations, then Adam, gradient descent and L-BFGS for the same wall time, recording the relative
/// L2 error against iterations and time.</summary>
public static class PinnExperiment
{
    /// <summary>Runs the three problems of <paramref name="config"/>; progress goes to <paramref name="log"/>.</summary>
    public static IReadOnlyList<ProblemResult> RunAll(PinnConfig config, int seed, TextWriter log)
    {
        config.Validate();
        var poisson2D = RunProblem(PinnSetups.Poisson2D(config.Poisson2DGrid, config.TestGrid), config.Poisson2DIterations, config.Poisson2DSecondsCap, config, seed, log);
        var heat = config.PaperWidths
            ? RunProblem(PinnSetups.Heat<Heat1D>(config.HeatGrid, config.TestGrid), config.HeatIterations, config.HeatSecondsCap, config, seed, log)
            : RunProblem(PinnSetups.Heat<Heat1DNarrow>(config.HeatGrid, config.TestGrid), config.HeatIterations, config.HeatSecondsCap, config, seed, log);
        // The 5D points are random: their own seed, derived from the run's.
        var poisson5D = config.PaperWidths
            ? RunProblem(PinnSetups.Poisson5D<Poisson5D>(config.Poisson5DInterior, config.Poisson5DBoundary, config.Poisson5DTestPoints, seed + 1), config.Poisson5DIterations, config.Poisson5DSecondsCap, config, seed, log)
            : RunProblem(PinnSetups.Poisson5D<Poisson5DNarrow>(config.Poisson5DInterior, config.Poisson5DBoundary, config.Poisson5DTestPoints, seed + 1), config.Poisson5DIterations, config.Poisson5DSecondsCap, config, seed, log);
        return [poisson2D, heat, poisson5D];
    }

    /// <summary>Runs every solver on <paramref name="setup"/> from the paper's initialisation with <paramref name="seed"/>:
    /// ENGD for <paramref name="engdIterations"/> (at most <paramref name="engdSecondsCap"/> seconds) next to Adam,
    /// which stops when ENGD does (with one core: Adam after ENGD, for its time); then gradient descent next to L-BFGS,
    /// each for ENGD's wall time.</summary>
    public static ProblemResult RunProblem<TModel>(PinnSetup<TModel> setup, int engdIterations, double engdSecondsCap, PinnConfig config, int seed,
        TextWriter log)
        where TModel : IModel<TModel>
    {
        var start = new double[TModel.ParameterCount];
        PaperInitialization.Fill(start, seed);
        string description = $"{TModel.ParameterCount} parameters, {string.Join(" + ", setup.Blocks.Select(b => b.Batch))} points, {engdIterations} ENGD iterations (at most {engdSecondsCap:0} s)";
        log.WriteLine($"{setup.Name}: {description}");
        WarmUp(setup, start);

        SolverRun engd, adam;
        if (config.Concurrency >= 2)
        {
            using var engdDone = new ManualResetEventSlim(false);
            SolverRun? engdRun = null, adamRun = null;
            var adamStop = new Limits(engdSecondsCap * 2, int.MaxValue, () => engdDone.IsSet);
            Parallel.Invoke(
                () =>
                {
                    try { engdRun = Run(setup, SolverKind.EnergyNaturalGradient, start, new Limits(engdSecondsCap, engdIterations, null), config, log); }
                    finally { engdDone.Set(); }
                },
                () => adamRun = Run(setup, SolverKind.Adam, start, adamStop, config, log));
            (engd, adam) = (engdRun!, adamRun!);
        }
        else
        {
            engd = Run(setup, SolverKind.EnergyNaturalGradient, start, new Limits(engdSecondsCap, engdIterations, null), config, log);
            adam = Run(setup, SolverKind.Adam, start, new Limits(engd.Seconds, int.MaxValue, null), config, log);
        }
        var budget = new Limits(engd.Seconds, int.MaxValue, null);
        var others = new ConcurrentDictionary<SolverKind, SolverRun>();
        Parallel.ForEach(new[] { SolverKind.GradientDescent, SolverKind.Lbfgs }, new ParallelOptions { MaxDegreeOfParallelism = config.Concurrency },
            solver => others[solver] = Run(setup, solver, start, budget, config, log));
        return new ProblemResult(setup.Name, description, TModel.ParameterCount, setup.CollocationPoints, engd.Seconds,
            [engd, adam, others[SolverKind.GradientDescent], others[SolverKind.Lbfgs]]);
    }

    /// <summary>When a run stops: after <paramref name="Seconds"/> of solver time, after <paramref name="Iterations"/>
    /// iterations, or when <paramref name="Stop"/> says so.</summary>
    public sealed record Limits(double Seconds, int Iterations, Func<bool>? Stop);

    /// <summary>One solver on one problem from <paramref name="start"/> (not modified).</summary>
    public static SolverRun Run<TModel>(PinnSetup<TModel> setup, SolverKind solver, ReadOnlySpan<double> start, Limits limits,
        PinnConfig config, TextWriter log)
        where TModel : IModel<TModel>
    {
        var problem = setup.CreateProblem();
        var meter = setup.CreateErrorMeter();
        var theta = start.ToArray();
        var curve = new List<ErrorPoint> { new(0, 0, problem.CostAt(theta, new double[problem.ResidualCount]), meter.RelativeL2Error(theta)) };
        // Measuring the error is not the solver's work: its time is subtracted from the solver's clock.
        double measuringSeconds = 0, lastMeasured = 0, lastPrinted = 0, previousSeconds = 0;
        // Adam's limit is only a safety net (it stops with ENGD): measure on ENGD's scale, twice as often.
        double budget = limits.Seconds, measureEvery = (solver == SolverKind.Adam ? budget / 2 : budget) / 150;
        string label = $"  {setup.Name,-10} {Name(solver),-16}";

        bool Callback(IterationSummary it)
        {
            double seconds = it.Seconds - measuringSeconds;
            bool last = it.Iteration >= limits.Iterations;
            if (it.Iteration == 1 || last || seconds - lastMeasured >= measureEvery)
            {
                long begin = Stopwatch.GetTimestamp();
                curve.Add(new ErrorPoint(it.Iteration, seconds, it.Cost, meter.RelativeL2Error(theta)));
                measuringSeconds += Stopwatch.GetElapsedTime(begin).TotalSeconds;
                lastMeasured = seconds;
            }
            if (seconds - lastPrinted >= 5)
            {
                lastPrinted = seconds;
                log.WriteLine($"{label} iteration {it.Iteration,7}  {seconds,5:F1} s  loss {it.Cost:E2}  rel. L2 {curve[^1].RelativeL2Error:E2}");
            }
            // Stop before an iteration that would overrun the budget (ENGD's iterations take seconds on large problems).
            double lastStep = seconds - previousSeconds;
            previousSeconds = seconds;
            return !last && seconds + lastStep <= budget && limits.Stop?.Invoke() != true;
        }

        var summary = solver switch
        {
            SolverKind.EnergyNaturalGradient => EnergyNaturalGradient.Solve(problem, theta, new EnergyNaturalGradientOptions
            {
                MaxIterations = limits.Iterations,
                Callback = Callback,
            }),
            SolverKind.Adam => Adam.Solve(problem, theta, new AdamOptions
            {
                LearningRate = config.AdamLearningRate,
                MaxIterations = limits.Iterations,
                RecordEvery = 10,
                Callback = Callback,
            }),
            SolverKind.GradientDescent => GridLineSearchDescent.Solve(problem, theta, limits.Iterations, Callback),
            SolverKind.Lbfgs => Lbfgs.Solve(problem, theta, new FirstOrderOptions
            {
                MaxIterations = limits.Iterations,
                GradientTolerance = 0,
                Callback = Callback,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(solver), solver, "Unknown solver."),
        };
        double solverSeconds = summary.TotalSeconds - measuringSeconds;
        double error = meter.RelativeL2Error(theta);
        if (curve[^1].Iteration != summary.Iterations)
            curve.Add(new ErrorPoint(summary.Iterations, solverSeconds, summary.FinalCost, error));
        log.WriteLine($"{label} done: {summary.Iterations} iterations, {solverSeconds:F1} s, rel. L2 {error:E2} ({summary.Message})");
        return new SolverRun(setup.Name, solver, summary.Iterations, solverSeconds, summary.FinalCost, error, summary.Message, curve);
    }

    /// <summary>The solver's name in tables and legends.</summary>
    public static string Name(SolverKind solver) => solver switch
    {
        SolverKind.EnergyNaturalGradient => "ENGD",
        SolverKind.Adam => "Adam",
        SolverKind.GradientDescent => "GD (line search)",
        SolverKind.Lbfgs => "L-BFGS",
        _ => solver.ToString(),
    };

    // Compiles the generated code paths every solver uses on a few points, so no solver's clock pays the JIT.
    private static void WarmUp<TModel>(PinnSetup<TModel> setup, double[] start) where TModel : IModel<TModel>
    {
        var problem = setup.CreateWarmUpProblem(4);
        var residuals = new double[problem.ResidualCount];
        var gradient = new double[problem.ParameterCount];
        problem.CostAt(start, residuals);
        problem.Evaluate(start, residuals);
        problem.LinearizedVjp(start, residuals, gradient, new double[problem.ResidualCount]);
        problem.Jacobian(start, new double[problem.ResidualCount * problem.ParameterCount]);
        setup.CreateErrorMeter().RelativeL2Error(start);
    }
}
