using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// The kernel (output-space) natural gradient with the Sobolev metric M = K⁻¹ (a Matérn-1 kernel), fitting the
/// 25-parameter Poisson1D network's u to sin(πx) at 10 points (fewer residuals than parameters): θ ← θ + ηδ, once on
/// the CPU (<see cref="KernelNaturalGradient{TModel}"/>) and once on the GPU (<see cref="CudaKernelNaturalGradient{TModel}"/>).
/// </summary>
public static class KernelNaturalGradientRun
{
    public static DirectionComparison.Curves Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int iterations)
    {
        const int n = 10;
        const double eta = 0.2, damping = 1e-3;
        var x = Enumerable.Range(0, n).Select(i => (i + 0.5) / n).ToArray();
        var y = x.Select(v => Math.Sin(Math.PI * v)).ToArray();
        var block = new ResidualBlock(Poisson1D.UFunction, x, n, y, 1.0 / n);
        var kernel = new double[n * n];
        MaternKernel.Build(x, 1, n, 1, 0.3, kernel);
        var start = new double[Poisson1D.ParameterCount];
        Poisson1D.InitializeParameters<double>(start, 3);

        var problem = new TrainingProblem<Poisson1D>(block);
        var cpu = new KernelNaturalGradient<Poisson1D>(problem, OutputMetric.InverseKernel, kernel);
        var residuals = new double[problem.ResidualCount];
        using var gpu = new CudaKernelNaturalGradient<Poisson1D>(context, modules, cublas, block, OutputMetric.InverseKernel, kernel);
        return DirectionComparison.Run(cublas, start, eta, iterations,
            (theta, direction) =>
            {
                double cost = problem.Cost(theta, residuals);
                cpu.Direction(theta, direction, damping);
                return cost;
            },
            (theta, direction) => gpu.Direction(theta, direction, damping));
    }
}
