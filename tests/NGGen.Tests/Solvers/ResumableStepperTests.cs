using NGGen.IO;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>A stepper stopped, checkpointed and resumed in a new instance continues bit for bit as the uninterrupted
/// one: the fact that training resumed after a crash ends at the same parameters rests on.</summary>
public class ResumableStepperTests
{
    [Fact]
    public void Gauss_newton_cg_resumed_from_its_checkpoint_matches_the_uninterrupted_run_bitwise()
    {
        var problem = TeacherStudent.Problem(batch: 64, inputSeed: 3);
        var options = new GaussNewtonCgOptions { MaxCgIterations = 20 };
        double[] straight = Start(), split = Start();
        var uninterrupted = new GaussNewtonCgStepper<Mlp3>(problem, options);
        for (int k = 0; k < 12; k++)
            uninterrupted.Iterate(straight);

        var first = new GaussNewtonCgStepper<Mlp3>(problem, options);
        for (int k = 0; k < 5; k++)
            first.Iterate(split);
        byte[] checkpoint = ModelCheckpoint.Serialize<Mlp3>(split, 5, first.CaptureState());
        var loaded = Load(checkpoint);
        var second = new GaussNewtonCgStepper<Mlp3>(problem, options);
        second.RestoreState(loaded.Solver!);
        double[] resumed = loaded.Theta;
        for (int k = 5; k < 12; k++)
            second.Iterate(resumed);

        Assert.Equal(straight, resumed);
        Assert.Equal(uninterrupted.Damping, second.Damping);
        Assert.NotEqual(Start(), resumed);
    }

    [Fact]
    public void Adam_stepper_follows_Adam_Solve_and_resumes_bitwise()
    {
        var problem = TeacherStudent.Problem(batch: 32, inputSeed: 4);
        var options = new AdamOptions { LearningRate = 1e-2, MaxIterations = 30 };
        double[] solved = Start();
        Adam.Solve(problem, solved, options);

        double[] split = Start();
        var first = new AdamStepper<Mlp3>(new GradientOracle<Mlp3>(problem), options);
        for (int k = 0; k < 11; k++)
            first.Iterate(split);
        var loaded = Load(ModelCheckpoint.Serialize<Mlp3>(split, 11, first.CaptureState()));
        var second = new AdamStepper<Mlp3>(new GradientOracle<Mlp3>(problem), options);
        second.RestoreState(loaded.Solver!);
        double[] resumed = loaded.Theta;
        for (int k = 11; k < 30; k++)
            second.Iterate(resumed);

        Assert.Equal(solved, resumed);
        Assert.Equal(30, second.Steps);
    }

    [Fact]
    public void Levenberg_marquardt_stepper_follows_Solve_and_resumes_bitwise()
    {
        // Rosenbrock from MGH's start (−1.2, 1): LM takes a dozen iterations with rejected steps among them, so the
        // trust region radius and decrease factor carry real state across the split.
        var problem = new TrainingProblem<Rosenbrock.Compiled>(new ResidualBlock(0, [0.0], 1));
        var options = new LevenbergMarquardtOptions { FunctionTolerance = 0, ParameterTolerance = 0, GradientTolerance = 0, MaxIterations = 8 };
        double[] solved = [-1.2, 1];
        var summary = LevenbergMarquardt.Solve(problem, solved, options);
        Assert.Equal(8, summary.Iterations);
        Assert.Contains(summary.History, it => !it.StepAccepted);

        double[] split = [-1.2, 1];
        var first = new LevenbergMarquardtStepper<Rosenbrock.Compiled>(problem, options);
        for (int k = 1; k <= 3; k++)
            first.Iterate(k, split, 0);
        string path = Path.Combine(Path.GetTempPath(), $"nggen-lm-{Guid.NewGuid():N}.safetensors");
        ModelCheckpoint.Save<Rosenbrock.Compiled>(path, split, 3, first.CaptureState());
        var loaded = ModelCheckpoint.Load<Rosenbrock.Compiled>(path);
        File.Delete(path);
        var second = new LevenbergMarquardtStepper<Rosenbrock.Compiled>(problem, options);
        second.RestoreState(loaded.Solver!);
        double[] resumed = loaded.Theta;
        for (int k = 4; k <= 8; k++)
            second.Iterate(k, resumed, 0);
        Assert.Equal(solved, resumed);
    }

    [Fact]
    public void Levenberg_marquardt_restored_after_its_tolerance_ended_the_solve_stops_there()
    {
        // The function tolerance ends LM after an accepted step; a stepper restored from the state captured then must
        // not take further steps (an uninterrupted run never took them).
        var problem = new TrainingProblem<Rosenbrock.Compiled>(new ResidualBlock(0, [0.0], 1));
        var options = new LevenbergMarquardtOptions { FunctionTolerance = 0.5, ParameterTolerance = 0, GradientTolerance = 0 };
        double[] theta = [-1.2, 1];
        var first = new LevenbergMarquardtStepper<Rosenbrock.Compiled>(problem, options);
        first.Evaluate(theta);
        LevenbergMarquardtOutcome outcome = default;
        for (int k = 1; k <= 100 && outcome.Termination is null; k++)
            outcome = first.Iterate(k, theta, 0);
        Assert.Equal(TerminationType.FunctionTolerance, outcome.Termination);
        Assert.True(outcome.Stepped);
        var second = new LevenbergMarquardtStepper<Rosenbrock.Compiled>(problem, options);
        second.RestoreState(first.CaptureState());
        double[] resumed = (double[])theta.Clone();
        var next = second.Iterate(1, resumed, 0);
        Assert.False(next.Stepped);
        Assert.Equal(TerminationType.FunctionTolerance, next.Termination);
        Assert.Equal(theta, resumed);
    }

    [Fact]
    public void A_state_from_another_solver_or_with_a_wrong_length_is_refused()
    {
        var problem = TeacherStudent.Problem(batch: 8, inputSeed: 5);
        var adam = new AdamStepper<Mlp3>(new GradientOracle<Mlp3>(problem));
        var gaussNewton = new GaussNewtonCgStepper<Mlp3>(problem);
        Assert.Contains("not adam's", Assert.Throws<InvalidDataException>(() => adam.RestoreState(gaussNewton.CaptureState())).Message);
        var state = gaussNewton.CaptureState();
        state.Vectors["step"] = new double[3];
        Assert.Contains("'step' has 3 entries", Assert.Throws<InvalidDataException>(() => gaussNewton.RestoreState(state)).Message);
    }

    [Fact]
    public void Stepper_iterations_allocate_nothing()
    {
        // Iterations after the first allocate 0 bytes (the least of three batches: the runtime itself occasionally
        // allocates on a test thread, and an allocation per iteration would show in every batch).
        var problem = TeacherStudent.Problem(batch: 32, inputSeed: 6);
        var gaussNewton = new GaussNewtonCgStepper<Mlp3>(problem, new GaussNewtonCgOptions { MaxCgIterations = 10 });
        var adam = new AdamStepper<Mlp3>(new GradientOracle<Mlp3>(problem), new AdamOptions { LearningRate = 1e-3 });
        foreach (var iterate in new Action<double[]>[] { theta => gaussNewton.Iterate(theta), theta => adam.Iterate(theta) })
        {
            double[] theta = Start();
            iterate(theta);
            long least = long.MaxValue;
            for (int batch = 0; batch < 3; batch++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int k = 0; k < 5; k++)
                    iterate(theta);
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.Equal(0, least);
        }
    }

    private static double[] Start()
    {
        var theta = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(theta, 11);
        return theta;
    }

    private static LoadedCheckpoint Load(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"nggen-resume-{Guid.NewGuid():N}.safetensors");
        try
        {
            File.WriteAllBytes(path, bytes);
            return ModelCheckpoint.Load<Mlp3>(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
