using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// GN-CG on the teacher-student regression (<see cref="TeacherStudent"/>), once on the CPU
/// (<see cref="GaussNewtonCgStepper{TModel}"/>) and once on the GPU (<see cref="CudaGaussNewtonCg{TModel}"/>) from
/// the same θ: the loss curves must agree.
/// </summary>
public static class GaussNewtonRun
{
    public static (double[] Cpu, double[] Gpu, double[] RelativeDifferences) Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int batch, int iterations)
    {
        var data = TeacherStudent.Create(batch);
        var options = new GaussNewtonCgOptions { MaxCgIterations = 30 };

        var cpuTheta = (double[])data.Start.Clone();
        var cpu = new GaussNewtonCgStepper<Mlp3>(new TrainingProblem<Mlp3>(new ResidualBlock(0, data.Inputs, batch, data.Targets, data.Weight)), options);
        var cpuCurve = new double[iterations];
        for (int i = 0; i < iterations; i++)
            cpuCurve[i] = cpu.Iterate(cpuTheta).CostBefore;

        using var gpu = new CudaGaussNewtonCg<Mlp3>(context, modules, cublas, 0, data.Inputs, batch, data.Targets, data.Weight, options);
        using var gpuTheta = new DeviceBuffer<double>(data.Start);
        var gpuCurve = new double[iterations];
        for (int i = 0; i < iterations; i++)
            gpuCurve[i] = gpu.Iterate(gpuTheta).CostBefore;

        return (cpuCurve, gpuCurve, TeacherStudent.RelativeDifferences(cpuCurve, gpuCurve));
    }
}
