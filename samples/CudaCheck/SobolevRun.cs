using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// The Sobolev natural gradient in derivative form (Bai, Rosenberg and Xu 2022) on the fit of the test suite
/// (SineWave u = a·sin(bx) + c to 25 points, H¹ metric with β = 0.5): θ ← θ + ηδ, once on the CPU
/// (<see cref="NaturalGradient{TModel}"/> with <see cref="SobolevMetric.H1{TModel}"/>) and once on the GPU
/// (<see cref="CudaNaturalGradient{TModel}"/> with the same metric blocks), from the same θ.
/// </summary>
public static class SobolevRun
{
    public static (double[] Cpu, double[] Gpu, double[] RelativeDifferences, double FirstDirectionDifference) Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int iterations)
    {
        const int n = 25;
        var x = Enumerable.Range(0, n).Select(i => -1.5 + 3.0 * i / (n - 1)).ToArray();
        var y = x.Select(v => 1.3 * Math.Sin(2.1 * v) - 0.2 + 0.1 * v * v).ToArray();
        ResidualBlock[] loss = [new ResidualBlock(SineWave.UFunction, x, n, y, 1.0 / n)];
        var metric = SobolevMetric.H1<SineWave>(SineWave.UFunction, SineWave.DUFunction, x, n, 0.5);
        var options = new NaturalGradientOptions { LearningRate = 0.5 };
        double[] start = [0.8, 1.6, 0.3];
        int p = SineWave.ParameterCount;

        var cpu = new NaturalGradient<SineWave>(new TrainingProblem<SineWave>(loss), options, metric);
        var cpuTheta = (double[])start.Clone();
        var direction = new double[p];
        var firstCpu = new double[p];
        var cpuCurve = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            cpuCurve[i] = cpu.Direction(cpuTheta, direction);
            if (i == 0)
                direction.CopyTo(firstCpu, 0);
            for (int j = 0; j < p; j++)
                cpuTheta[j] += options.LearningRate * direction[j];
        }

        using var gpu = new CudaNaturalGradient<SineWave>(context, modules, cublas, loss, options, metric.Blocks);
        using var gpuTheta = new DeviceBuffer<double>(start);
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
                firstDifference = first.Select((value, j) => Math.Abs(value - firstCpu[j])).Max() / firstCpu.Max(Math.Abs);
            }
            vectors.Axpy(options.LearningRate, gpuDirection, gpuTheta);
        }

        return (cpuCurve, gpuCurve, TeacherStudent.RelativeDifferences(cpuCurve, gpuCurve), firstDifference);
    }
}
