using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// Natural gradient on the teacher-student regression (<see cref="TeacherStudent"/>): θ ← θ + ηδ with
/// δ = −(JᵀJ + λI)⁺∇L, once on the CPU (<see cref="NaturalGradient{TModel}"/>) and once on the GPU
/// (<see cref="CudaNaturalGradient{TModel}"/>) from the same θ. Reports both cost curves and the relative difference
/// of the first direction.
/// </summary>
public static class NaturalGradientRun
{
    public sealed record Result(double[] Cpu, double[] Gpu, double[] RelativeDifferences, double FirstDirectionDifference, int Rank, bool FacadeMatchesGpu);

    public static Result Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int batch, int iterations)
    {
        var data = TeacherStudent.Create(batch);
        // Damped: the Cholesky path on both sides (the eigen path is the same host code, GramianDirection).
        var options = new NaturalGradientOptions { LearningRate = 0.5, Damping = 1e-6 };
        int p = Mlp3.ParameterCount;

        var cpu = new NaturalGradient<Mlp3>(new TrainingProblem<Mlp3>(new ResidualBlock(0, data.Inputs, batch, data.Targets, data.Weight)), options);
        var cpuTheta = (double[])data.Start.Clone();
        var cpuDirection = new double[p];
        var firstCpuDirection = new double[p];
        var cpuCurve = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            cpuCurve[i] = cpu.Direction(cpuTheta, cpuDirection);
            if (i == 0)
                cpuDirection.CopyTo(firstCpuDirection, 0);
            for (int j = 0; j < p; j++)
                cpuTheta[j] += options.LearningRate * cpuDirection[j];
        }

        using var gpu = new CudaNaturalGradient<Mlp3>(context, modules, cublas, 0, data.Inputs, batch, data.Targets, data.Weight, options);
        using var gpuTheta = new DeviceBuffer<double>(data.Start);
        using var gpuDirection = new DeviceBuffer<double>(p);
        var vectors = new CudaVectors(cublas);
        var gpuCurve = new double[iterations];
        double firstDifference = double.NaN;
        for (int i = 0; i < iterations; i++)
        {
            gpuCurve[i] = gpu.Direction(gpuTheta, gpuDirection);
            if (i == 0)
            {
                var first = gpuDirection.ToArray();
                double largest = firstCpuDirection.Max(Math.Abs);
                firstDifference = first.Select((value, j) => Math.Abs(value - firstCpuDirection[j])).Max() / largest;
            }
            vectors.Axpy(options.LearningRate, gpuDirection, gpuTheta);
        }

        // The one solver call, asked for the GPU, must take the same steps as the solver used directly.
        var facade = LeastSquaresTraining.NaturalGradient<Mlp3>(0, data.Inputs, batch, data.Targets, data.Weight, (double[])data.Start.Clone(),
            iterations, options, BackendPreference.Cuda);
        bool facadeMatches = facade.Backend == ComputeBackend.Cuda && facade.Costs.SequenceEqual(gpuCurve);
        return new Result(cpuCurve, gpuCurve, TeacherStudent.RelativeDifferences(cpuCurve, gpuCurve), firstDifference, gpu.Rank, facadeMatches);
    }
}
