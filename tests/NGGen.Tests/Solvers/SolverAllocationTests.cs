using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>
/// Steady-state iterations of every solver allocate nothing: the bytes allocated on the solver's thread between
/// the end of iteration 3 and the end of the last one are zero. Buffers and workspaces are sized before the loop
/// and the history holds its first 64 entries up front, so an allocation here would be one per iteration.
/// </summary>
public class SolverAllocationTests(ITestOutputHelper output)
{
    private const int Last = 12;

    private static double[] Start()
    {
        var theta = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(theta, 1);
        return theta;
    }

    /// <summary>
    /// Runs the solver up to three times and requires one run with zero bytes in iterations 4..Last: the runtime
    /// itself occasionally allocates on a busy test thread, an allocation in the loop would show in every run.
    /// </summary>
    private void AssertSteadyStateAllocatesNothing(string solver, Func<Func<IterationSummary, bool>, SolverSummary> run)
    {
        var bytes = new List<long>();
        for (int attempt = 0; attempt < 3 && !bytes.Contains(0); attempt++)
        {
            long atThird = -1, atLast = -1;
            Func<IterationSummary, bool> callback = it =>
            {
                if (it.Iteration == 3)
                    atThird = GC.GetAllocatedBytesForCurrentThread();
                if (it.Iteration == Last)
                    atLast = GC.GetAllocatedBytesForCurrentThread();
                return true;
            };
            var summary = run(callback);
            Assert.True(atThird >= 0 && atLast >= 0, $"{solver} stopped before iteration {Last}: {summary.Termination} after {summary.Iterations}");
            bytes.Add(atLast - atThird);
        }
        output.WriteLine($"{solver}: bytes in iterations 4-{Last}, per run: {string.Join(", ", bytes)}");
        Assert.Equal(0, bytes.Min());
    }

    [Fact]
    public void Levenberg_marquardt()
    {
        var problem = TeacherStudent.Problem(64, 4);
        AssertSteadyStateAllocatesNothing("LevenbergMarquardt", callback => LevenbergMarquardt.Solve(problem, Start(),
            new LevenbergMarquardtOptions { MaxIterations = Last, FunctionTolerance = 0, GradientTolerance = 0, ParameterTolerance = 0, Callback = callback }));
    }

    [Fact]
    public void Natural_gradient()
    {
        // Damped, so the solve takes the Cholesky path (the eigensolver path is exercised by the ENGD case).
        var problem = TeacherStudent.Problem(64, 4);
        AssertSteadyStateAllocatesNothing("NaturalGradient", callback => new NaturalGradient<Mlp3>(problem,
            new NaturalGradientOptions { MaxIterations = Last, GradientTolerance = 0, Damping = 1e-3, Callback = callback }).Solve(Start()));
    }

    [Fact]
    public void Energy_natural_gradient()
    {
        var interior = Enumerable.Range(1, 30).Select(i => i / 31.0).ToArray();
        var problem = new TrainingProblem<Poisson1D>(
            new ResidualBlock(Poisson1D.InteriorFunction, interior, interior.Length, Weight: 1.0 / interior.Length),
            new ResidualBlock(Poisson1D.BoundaryFunction, [0.0, 1.0], 2, Weight: 0.5));
        AssertSteadyStateAllocatesNothing("EnergyNaturalGradient", callback =>
        {
            var theta = new double[Poisson1D.ParameterCount];
            Poisson1D.InitializeParameters<double>(theta, 1);
            return EnergyNaturalGradient.Solve(problem, theta, new EnergyNaturalGradientOptions
            {
                MaxIterations = Last, GradientTolerance = 0, ParameterTolerance = 0, Callback = callback,
            });
        });
    }

    [Fact]
    public void Lbfgs_gradient_descent_and_adam()
    {
        var problem = TeacherStudent.Problem(64, 4);
        var firstOrder = new FirstOrderOptions { MaxIterations = Last, GradientTolerance = 0 };
        AssertSteadyStateAllocatesNothing("Lbfgs", callback => Lbfgs.Solve(problem, Start(), firstOrder with { Callback = callback }));
        AssertSteadyStateAllocatesNothing("GradientDescent", callback => GradientDescent.Solve(problem, Start(), firstOrder with { Callback = callback }));
        AssertSteadyStateAllocatesNothing("Adam", callback => Adam.Solve(problem, Start(),
            new AdamOptions { MaxIterations = Last, RecordEvery = 1, Callback = callback }));
    }
}
