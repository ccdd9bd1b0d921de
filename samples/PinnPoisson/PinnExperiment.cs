using System.Collections.Concurrent;
using System.Diagnostics;
using NGGen.Solvers;

namespace NGGen.Samples.PinnPoisson;

/// <summary>Trains each problem's network from one initialisation with each solver under the same wall-time budget,
/// recording the relative L2 error against iterations and time.</summary>
public static class PinnExperiment
{
    /// <summary>Runs the three problems of <paramref name="config"/>; progress goes to <paramref name="log"/>.</summary>
    public static IReadOnlyList<ProblemResult> RunAll(PinnConfig config, int seed, TextWriter log)
    {
        config.Validate();
        var poisson2D = RunProblem(PinnSetups.Poisson2D(config.Poisson2DGrid, config.TestGrid), config.Poisson2DSeconds, config, seed, log);
        var heat = config.PaperWidths
            ? RunProblem(PinnSetups.Heat<Heat1D>(config.HeatGrid, config.TestGrid), config.HeatSeconds, config, seed, log)
            : RunProblem(PinnSetups.Heat<Heat1DNarrow>(config.HeatGrid, config.TestGrid), config.HeatSeconds, config, seed, log);
        // The 5D points are random: their own seed, derived from the run's.
        var poisson5D = config.PaperWidths
            ? RunProblem(PinnSetups.Poisson5D<Poisson5D>(config.Poisson5DInterior, config.Poisson5DBoundary, config.Poisson5DTestPoints, seed + 1), config.Poisson5DSeconds, config, seed, log)
            : RunProblem(PinnSetups.Poisson5D<Poisson5DNarrow>(config.Poisson5DInterior, config.Poisson5DBoundary, config.Poisson5DTestPoints, seed + 1), config.Poisson5DSeconds, config, seed, log);
        return [poisson2D, heat, poisson5D];
    }

    /// <summary>Runs every solver on <paramref name="setup"/> from the same initial parameters (seeded), each for
    /// <paramref name="budgetSeconds"/> of its own wall time, <see cref="PinnConfig.Concurrency"/> at a time.</summary>
    public static ProblemResult RunProblem<TModel>(PinnSetup<TModel> setup, double budgetSeconds, PinnConfig config, int seed, TextWriter log,
        IReadOnlyList<SolverKind>? solvers = null)
        where TModel : IModel<TModel>
    {
        solvers ??= Enum.GetValues<SolverKind>();
        var start = new double[TModel.ParameterCount];
        TModel.InitializeParameters<double>(start, (ulong)seed);
        string description = $"{TModel.ParameterCount} parameters, {string.Join(" + ", setup.Blocks.Select(b => b.Batch))} points, {budgetSeconds:0.#} s per solver";
        log.WriteLine($"{setup.Name}: {description}");
        WarmUp(setup, start);

        var runs = new ConcurrentDictionary<SolverKind, SolverRun>();
        var order = Partitioner.Create(solvers, EnumerablePartitionerOptions.NoBuffering);
        Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = config.Concurrency },
            solver => runs[solver] = Run(setup, solver, start, budgetSeconds, config, log));
        return new ProblemResult(setup.Name, description, TModel.ParameterCount, setup.CollocationPoints, budgetSeconds,
            solvers.Select(s => runs[s]).ToList());
    }

    /// <summary>One solver on one problem from <paramref name="start"/> (not modified).</summary>
    public static SolverRun Run<TModel>(PinnSetup<TModel> setup, SolverKind solver, ReadOnlySpan<double> start, double budgetSeconds,
        PinnConfig config, TextWriter log)
        where TModel : IModel<TModel>
    {
        var problem = setup.CreateProblem();
        var meter = setup.CreateErrorMeter();
        var theta = start.ToArray();
        var curve = new List<ErrorPoint> { new(0, 0, problem.CostAt(theta, new double[problem.ResidualCount]), meter.RelativeL2Error(theta)) };
        // Measuring the error is not the solver's work: its time is subtracted from the solver's clock.
        double measuringSeconds = 0, lastMeasured = 0, lastPrinted = 0, previousSeconds = 0;
        double measureEvery = budgetSeconds / 100, printEvery = Math.Max(5, budgetSeconds / 4);
        string label = $"  {setup.Name,-10} {Name(solver),-24}";

        bool Callback(IterationSummary it)
        {
            double seconds = it.Seconds - measuringSeconds;
            if (it.Iteration == 1 || seconds - lastMeasured >= measureEvery)
            {
                long begin = Stopwatch.GetTimestamp();
                curve.Add(new ErrorPoint(it.Iteration, seconds, it.Cost, meter.RelativeL2Error(theta)));
                measuringSeconds += Stopwatch.GetElapsedTime(begin).TotalSeconds;
                lastMeasured = seconds;
            }
            if (seconds - lastPrinted >= printEvery)
            {
                lastPrinted = seconds;
                log.WriteLine($"{label} iteration {it.Iteration,7}  {seconds,5:F1} s  loss {it.Cost:E2}  rel. L2 {curve[^1].RelativeL2Error:E2}");
            }
            // Stop before an iteration that would overrun the budget (ENGD's iterations take seconds on large problems).
            double lastStep = seconds - previousSeconds;
            previousSeconds = seconds;
            return seconds + lastStep <= budgetSeconds;
        }

        var summary = solver switch
        {
            SolverKind.EnergyNaturalGradient => EnergyNaturalGradient.Solve(problem, theta, new EnergyNaturalGradientOptions
            {
                MaxIterations = config.EngdMaxIterations,
                Callback = Callback,
            }),
            SolverKind.Adam => Adam.Solve(problem, theta, new AdamOptions
            {
                LearningRate = config.AdamLearningRate,
                MaxIterations = int.MaxValue,
                RecordEvery = 10,
                Callback = Callback,
            }),
            SolverKind.GradientDescent => GridLineSearchDescent.Solve(problem, theta, int.MaxValue, Callback),
            SolverKind.Lbfgs => Lbfgs.Solve(problem, theta, new FirstOrderOptions
            {
                MaxIterations = int.MaxValue,
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
