using NGGen.Checking;
using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Cuda;

/// <summary>
/// The backend-choosing solver call on a machine where it must stay on the CPU: it must be exactly the CPU solver
/// (same costs, same θ, bit for bit). Its GPU side runs in NGGen.Samples.Tests under the CUDA emulator (CudaCheck).
/// </summary>
public sealed class LeastSquaresTrainingTests
{
    private const int Batch = 32;

    [Fact]
    public void GaussNewtonCgOnTheCpuIsTheCpuStepper()
    {
        var (inputs, targets, start) = TeacherStudent();
        var options = new GaussNewtonCgOptions { MaxCgIterations = 10 };
        var theta = (double[])start.Clone();
        var run = LeastSquaresTraining.GaussNewtonCg<Mlp3>(0, inputs, Batch, targets, 1.0 / Batch, theta, 5, options, BackendPreference.Cpu);

        var expectedTheta = (double[])start.Clone();
        var stepper = new GaussNewtonCgStepper<Mlp3>(new TrainingProblem<Mlp3>(new ResidualBlock(0, inputs, Batch, targets, 1.0 / Batch)), options);
        var expectedCosts = Enumerable.Range(0, 5).Select(_ => stepper.Iterate(expectedTheta).CostBefore).ToArray();

        Assert.Equal(ComputeBackend.Cpu, run.Backend);
        Assert.Equal("Mlp3: running on the CPU (requested).", run.Reason);
        Assert.Equal(expectedCosts, run.Costs);
        Assert.Equal(expectedTheta, theta);
        Assert.True(run.Costs[^1] < run.Costs[0] / 10, $"GN-CG did not reduce the cost: {string.Join(", ", run.Costs)}");
    }

    [Fact]
    public void DualGaussNewtonOnTheCpuStepsAlongTheCpuDirections()
    {
        var (inputs, targets, start) = TeacherStudent();
        var options = new DualGaussNewtonOptions { Gamma = 1.0, MaxCgIterations = 15 };
        var theta = (double[])start.Clone();
        // Auto on a 32-sample Mlp3: far below the GPU threshold, and without a GPU here in any case.
        var run = LeastSquaresTraining.DualGaussNewton<Mlp3>(0, inputs, Batch, targets, 1.0 / Batch, theta, 4, options);

        var expectedTheta = (double[])start.Clone();
        var dual = new DualGaussNewton<Mlp3>(new TrainingProblem<Mlp3>(new ResidualBlock(0, inputs, Batch, targets, 1.0 / Batch)), options);
        var direction = new double[Mlp3.ParameterCount];
        var expectedCosts = new double[4];
        for (int i = 0; i < 4; i++)
        {
            expectedCosts[i] = dual.Direction(expectedTheta, direction);
            for (int j = 0; j < direction.Length; j++)
                expectedTheta[j] += direction[j];
        }

        Assert.Equal(ComputeBackend.Cpu, run.Backend);
        Assert.Equal(expectedCosts, run.Costs);
        Assert.Equal(expectedTheta, theta);
        Assert.True(run.Costs[^1] < run.Costs[0], $"dual GN did not reduce the cost: {string.Join(", ", run.Costs)}");
    }

    [Fact]
    public void NaturalGradientOnTheCpuTakesFixedStepsAlongTheCpuDirections()
    {
        var (inputs, targets, start) = TeacherStudent();
        var options = new NaturalGradientOptions { LearningRate = 0.5, Damping = 1e-6 };
        var theta = (double[])start.Clone();
        var run = LeastSquaresTraining.NaturalGradient<Mlp3>(0, inputs, Batch, targets, 1.0 / Batch, theta, 4, options, BackendPreference.Cpu);

        var expectedTheta = (double[])start.Clone();
        var natural = new NaturalGradient<Mlp3>(new TrainingProblem<Mlp3>(new ResidualBlock(0, inputs, Batch, targets, 1.0 / Batch)), options);
        var direction = new double[Mlp3.ParameterCount];
        var expectedCosts = new double[4];
        for (int i = 0; i < 4; i++)
        {
            expectedCosts[i] = natural.Direction(expectedTheta, direction);
            for (int j = 0; j < direction.Length; j++)
                expectedTheta[j] += 0.5 * direction[j];
        }

        Assert.Equal(ComputeBackend.Cpu, run.Backend);
        Assert.Equal(expectedCosts, run.Costs);
        Assert.Equal(expectedTheta, theta);
        Assert.True(run.Costs[^1] < run.Costs[0] / 10, $"the natural gradient did not reduce the cost: {string.Join(", ", run.Costs)}");
        Assert.Throws<NotSupportedException>(() => LeastSquaresTraining.NaturalGradient<Mlp3>(0, inputs, Batch, targets, 1.0, theta, 1,
            options with { MaxBacktracks = 3 }, BackendPreference.Cpu));
    }

    [Fact]
    public void AWrongParameterCountIsRefusedBeforeAnythingRuns()
    {
        var (inputs, targets, _) = TeacherStudent();
        var exception = Assert.Throws<ArgumentException>(() =>
            LeastSquaresTraining.GaussNewtonCg<Mlp3>(0, inputs, Batch, targets, 1.0, new double[3], 1));
        Assert.Equal($"Mlp3: θ holds 3 values, expected {Mlp3.ParameterCount}. (Parameter 'theta')", exception.Message);
    }

    private static (double[] Inputs, double[] Targets, double[] Start) TeacherStudent()
    {
        var random = new Random(11);
        var inputs = Enumerable.Range(0, 3 * Batch).Select(_ => (2 * random.NextDouble()) - 1).ToArray();
        var teacher = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(teacher, 99);
        var targets = GradientChecker.Forward<Mlp3, double>(0, teacher, inputs, Batch);
        var start = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(start, 1);
        return (inputs, targets, start);
    }
}
