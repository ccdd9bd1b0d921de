using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// ENGD on the 1D Poisson problem of the test suite (−u″ = π² sin πx on 30 interior points, u = 0 at both ends; an
/// 8-unit tanh network), once on the CPU (<see cref="EnergyNaturalGradientStepper{TModel}"/>) and once on the GPU
/// (<see cref="CudaEnergyNaturalGradientStepper{TModel}"/>) from the same θ: the loss curves must agree, and so must the
/// first iteration's predicted relative decrease (the share of the residual a full step could remove, which
/// <see cref="EnergyNaturalGradient"/> stops on).
/// </summary>
public static class EnergyNaturalGradientRun
{
    public static (double[] Cpu, double[] Gpu, double[] RelativeDifferences, (double Cpu, double Gpu) FirstPredictedDecrease) Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int iterations)
    {
        const int points = 30;
        var interior = Enumerable.Range(1, points).Select(i => i / (points + 1.0)).ToArray();
        ResidualBlock[] blocks =
        [
            new ResidualBlock(Poisson1D.InteriorFunction, interior, points, Weight: 1.0 / points),
            new ResidualBlock(Poisson1D.BoundaryFunction, [0.0, 1.0], 2, Weight: 0.5),
        ];
        var start = new double[Poisson1D.ParameterCount];
        Poisson1D.InitializeParameters<double>(start, 3);
        // Cutoff 1e-8, not the default 1e-14: with 1e-14 the steps follow eigen-directions of G so barely determined
        // that the last bits of JᵀJ (another summation order on the GPU) change them, and the curves part at the
        // second iteration (2e-8, then 1e-5), as two CPU runs from θ₀ perturbed in the last bit do. The stepper's code
        // path is the same either way.
        var options = new EnergyNaturalGradientOptions { PseudoInverseCutoff = 1e-8 };

        var cpu = new EnergyNaturalGradientStepper<Poisson1D>(new TrainingProblem<Poisson1D>(blocks), options);
        var cpuTheta = (double[])start.Clone();
        var cpuCurve = new double[iterations];
        double cpuPredicted = double.NaN, gpuPredicted = double.NaN;
        for (int i = 0; i < iterations; i++)
        {
            var outcome = cpu.Iterate(cpuTheta);
            cpuCurve[i] = outcome.CostBefore;
            if (i == 0)
                cpuPredicted = outcome.PredictedRelativeDecrease;
        }

        using var gpu = new CudaEnergyNaturalGradientStepper<Poisson1D>(context, modules, cublas, blocks, options);
        using var gpuTheta = new DeviceBuffer<double>(start);
        var gpuCurve = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            var outcome = gpu.Iterate(gpuTheta);
            gpuCurve[i] = outcome.CostBefore;
            if (i == 0)
                gpuPredicted = outcome.PredictedRelativeDecrease;
        }

        return (cpuCurve, gpuCurve, TeacherStudent.RelativeDifferences(cpuCurve, gpuCurve), (cpuPredicted, gpuPredicted));
    }
}
