using NGGen.Checking;
using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// GN-CG on the teacher-student regression of the test suite (Mlp3 fitting another Mlp3's outputs), once on the CPU
/// (<see cref="GaussNewtonCgStepper{TModel}"/>) and once on the GPU (<see cref="CudaGaussNewtonCg{TModel}"/>) from
/// the same θ: the loss curves must agree.
/// </summary>
public static class GaussNewtonRun
{
    public static (double[] Cpu, double[] Gpu, double[] RelativeDifferences) Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int batch, int iterations)
    {
        var random = new Random(5);
        var inputs = Enumerable.Range(0, 3 * batch).Select(_ => (2 * random.NextDouble()) - 1).ToArray();
        var teacher = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(teacher, 99);
        var targets = GradientChecker.Forward<Mlp3, double>(0, teacher, inputs, batch);
        var start = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(start, 1);
        var options = new GaussNewtonCgOptions { MaxCgIterations = 30 };

        var cpuTheta = (double[])start.Clone();
        var cpu = new GaussNewtonCgStepper<Mlp3>(new TrainingProblem<Mlp3>(new ResidualBlock(0, inputs, batch, targets, 1.0 / batch)), options);
        var cpuCurve = new double[iterations];
        for (int i = 0; i < iterations; i++)
            cpuCurve[i] = cpu.Iterate(cpuTheta).CostBefore;

        using var gpu = new CudaGaussNewtonCg<Mlp3>(context, modules, cublas, 0, inputs, batch, targets, 1.0 / batch, options);
        using var gpuTheta = new DeviceBuffer<double>(start);
        var gpuCurve = new double[iterations];
        for (int i = 0; i < iterations; i++)
            gpuCurve[i] = gpu.Iterate(gpuTheta).CostBefore;

        var differences = new double[iterations];
        for (int i = 0; i < iterations; i++)
            differences[i] = Math.Abs(gpuCurve[i] - cpuCurve[i]) / Math.Abs(cpuCurve[i]);
        return (cpuCurve, gpuCurve, differences);
    }
}
