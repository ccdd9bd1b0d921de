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
    public static DirectionComparison.Curves Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int iterations)
    {
        const int n = 25;
        var x = Enumerable.Range(0, n).Select(i => -1.5 + 3.0 * i / (n - 1)).ToArray();
        var y = x.Select(v => 1.3 * Math.Sin(2.1 * v) - 0.2 + 0.1 * v * v).ToArray();
        ResidualBlock[] loss = [new ResidualBlock(SineWave.UFunction, x, n, y, 1.0 / n)];
        var metric = SobolevMetric.H1<SineWave>(SineWave.UFunction, SineWave.DUFunction, x, n, 0.5);
        var options = new NaturalGradientOptions { LearningRate = 0.5 };
        var cpu = new NaturalGradient<SineWave>(new TrainingProblem<SineWave>(loss), options, metric);
        using var gpu = new CudaNaturalGradient<SineWave>(context, modules, cublas, loss, options, metric.Blocks);
        return DirectionComparison.Run(cublas, [0.8, 1.6, 0.3], options.LearningRate, iterations,
            (theta, direction) => cpu.Direction(theta, direction), gpu.Direction);
    }
}
