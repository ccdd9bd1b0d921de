using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// Dual Gauss-Newton on the teacher-student regression (<see cref="TeacherStudent"/>): θ ← θ + v with v the dual
/// GN direction, once on the CPU (<see cref="DualGaussNewton{TModel}"/>) and once on the GPU
/// (<see cref="CudaDualGaussNewton{TModel}"/>) from the same θ (<see cref="DirectionComparison"/>), with the CG
/// iterations of each step; then the one solver call asked for the GPU, which must take the same steps.
/// </summary>
public static class DualGaussNewtonRun
{
    public sealed record Result(DirectionComparison.Curves Curves, int[] CpuIterations, int[] GpuIterations, bool FacadeMatchesGpu);

    public static Result Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int batch, int iterations)
    {
        var data = TeacherStudent.Create(batch);
        var options = new DualGaussNewtonOptions { Gamma = 1.0, MaxCgIterations = 20, RelativeTolerance = 1e-10 };
        var cpu = new DualGaussNewton<Mlp3>(new TrainingProblem<Mlp3>(new ResidualBlock(0, data.Inputs, batch, data.Targets, data.Weight)), options);
        using var gpu = new CudaDualGaussNewton<Mlp3>(context, modules, cublas, 0, data.Inputs, batch, data.Targets, data.Weight, options);
        var cpuIterations = new int[iterations];
        var gpuIterations = new int[iterations];
        var curves = DirectionComparison.Run(cublas, data.Start, 1.0, iterations,
            (theta, direction) => cpu.Direction(theta, direction), gpu.Direction,
            (i, onGpu) => (onGpu ? gpuIterations : cpuIterations)[i] = onGpu ? gpu.LastIterations : cpu.LastIterations);

        var facade = LeastSquaresTraining.DualGaussNewton<Mlp3>(0, data.Inputs, batch, data.Targets, data.Weight, (double[])data.Start.Clone(),
            iterations, options, BackendPreference.Cuda);
        bool facadeMatches = facade.Backend == ComputeBackend.Cuda && facade.Costs.SequenceEqual(curves.Gpu);
        return new Result(curves, cpuIterations, gpuIterations, facadeMatches);
    }
}
