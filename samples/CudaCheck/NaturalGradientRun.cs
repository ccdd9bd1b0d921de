using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// Natural gradient on the teacher-student regression (<see cref="TeacherStudent"/>): θ ← θ + ηδ with
/// δ = −(JᵀJ + λI)⁺∇L, once on the CPU (<see cref="NaturalGradient{TModel}"/>) and once on the GPU
/// (<see cref="CudaNaturalGradient{TModel}"/>) from the same θ (<see cref="DirectionComparison"/>); then the one
/// solver call asked for the GPU, which must take the same steps.
/// </summary>
public static class NaturalGradientRun
{
    public sealed record Result(DirectionComparison.Curves Curves, int Rank, bool FacadeMatchesGpu);

    public static Result Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int batch, int iterations)
    {
        var data = TeacherStudent.Create(batch);
        // Damped: the Cholesky path on both sides (the eigen path is the same host code, GramianDirection).
        var options = new NaturalGradientOptions { LearningRate = 0.5, Damping = 1e-6 };
        var cpu = new NaturalGradient<Mlp3>(new TrainingProblem<Mlp3>(new ResidualBlock(0, data.Inputs, batch, data.Targets, data.Weight)), options);
        using var gpu = new CudaNaturalGradient<Mlp3>(context, modules, cublas, 0, data.Inputs, batch, data.Targets, data.Weight, options);
        var curves = DirectionComparison.Run(cublas, data.Start, options.LearningRate, iterations,
            (theta, direction) => cpu.Direction(theta, direction), gpu.Direction);

        var facade = LeastSquaresTraining.NaturalGradient<Mlp3>(0, data.Inputs, batch, data.Targets, data.Weight, (double[])data.Start.Clone(),
            iterations, options, BackendPreference.Cuda);
        bool facadeMatches = facade.Backend == ComputeBackend.Cuda && facade.Costs.SequenceEqual(curves.Gpu);
        return new Result(curves, gpu.Rank, facadeMatches);
    }
}
