using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// Dual Gauss-Newton on the teacher-student regression (<see cref="TeacherStudent"/>): θ ← θ + v with v the dual
/// GN direction, once on the CPU (<see cref="DualGaussNewton{TModel}"/>) and once on the GPU
/// (<see cref="CudaDualGaussNewton{TModel}"/>) from the same θ. Reports both cost curves, the CG iterations of each
/// step, and the relative difference of the first direction (largest entry difference over the largest entry).
/// </summary>
public static class DualGaussNewtonRun
{
    public sealed record Result(double[] Cpu, double[] Gpu, double[] RelativeDifferences, int[] CpuIterations, int[] GpuIterations, double FirstDirectionDifference, bool FacadeMatchesGpu);

    public static Result Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int batch, int iterations)
    {
        var data = TeacherStudent.Create(batch);
        var options = new DualGaussNewtonOptions { Gamma = 1.0, MaxCgIterations = 20, RelativeTolerance = 1e-10 };
        int p = Mlp3.ParameterCount;

        var cpu = new DualGaussNewton<Mlp3>(new TrainingProblem<Mlp3>(new ResidualBlock(0, data.Inputs, batch, data.Targets, data.Weight)), options);
        var cpuTheta = (double[])data.Start.Clone();
        var cpuDirection = new double[p];
        var firstCpuDirection = new double[p];
        var cpuCurve = new double[iterations];
        var cpuIterations = new int[iterations];
        for (int i = 0; i < iterations; i++)
        {
            cpuCurve[i] = cpu.Direction(cpuTheta, cpuDirection);
            cpuIterations[i] = cpu.LastIterations;
            if (i == 0)
                cpuDirection.CopyTo(firstCpuDirection, 0);
            for (int j = 0; j < p; j++)
                cpuTheta[j] += cpuDirection[j];
        }

        using var gpu = new CudaDualGaussNewton<Mlp3>(context, modules, cublas, 0, data.Inputs, batch, data.Targets, data.Weight, options);
        using var gpuTheta = new DeviceBuffer<double>(data.Start);
        using var gpuDirection = new DeviceBuffer<double>(p);
        var vectors = new CudaVectors(cublas);
        var gpuCurve = new double[iterations];
        var gpuIterations = new int[iterations];
        double firstDifference = double.NaN;
        for (int i = 0; i < iterations; i++)
        {
            gpuCurve[i] = gpu.Direction(gpuTheta, gpuDirection);
            gpuIterations[i] = gpu.LastIterations;
            if (i == 0)
            {
                var first = gpuDirection.ToArray();
                double largest = firstCpuDirection.Max(Math.Abs);
                firstDifference = first.Select((value, j) => Math.Abs(value - firstCpuDirection[j])).Max() / largest;
            }
            vectors.Axpy(1, gpuDirection, gpuTheta);
        }

        // The one solver call, asked for the GPU, must take the same steps as the solver used directly.
        var facade = LeastSquaresTraining.DualGaussNewton<Mlp3>(0, data.Inputs, batch, data.Targets, data.Weight, (double[])data.Start.Clone(),
            iterations, options, BackendPreference.Cuda);
        bool facadeMatches = facade.Backend == ComputeBackend.Cuda && facade.Costs.SequenceEqual(gpuCurve);
        return new Result(cpuCurve, gpuCurve, TeacherStudent.RelativeDifferences(cpuCurve, gpuCurve), cpuIterations, gpuIterations, firstDifference, facadeMatches);
    }
}
