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
    public static (double[] Cpu, double[] Gpu, double[] RelativeDifferences, double FirstDirectionDifference) Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int iterations)
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
        int p = Poisson1D.ParameterCount;

        var problem = new TrainingProblem<Poisson1D>(block);
        var cpu = new KernelNaturalGradient<Poisson1D>(problem, OutputMetric.InverseKernel, kernel);
        var cpuTheta = (double[])start.Clone();
        var direction = new double[p];
        var firstCpu = new double[p];
        var residuals = new double[problem.ResidualCount];
        var cpuCurve = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            cpuCurve[i] = problem.Cost(cpuTheta, residuals);
            cpu.Direction(cpuTheta, direction, damping);
            if (i == 0)
                direction.CopyTo(firstCpu, 0);
            for (int j = 0; j < p; j++)
                cpuTheta[j] += eta * direction[j];
        }

        using var gpu = new CudaKernelNaturalGradient<Poisson1D>(context, modules, cublas, block, OutputMetric.InverseKernel, kernel);
        using var gpuTheta = new DeviceBuffer<double>(start);
        using var gpuDirection = new DeviceBuffer<double>(p);
        var vectors = new CudaVectors(cublas);
        var gpuCurve = new double[iterations];
        double firstDifference = double.NaN;
        for (int i = 0; i < iterations; i++)
        {
            gpuCurve[i] = gpu.Direction(gpuTheta, gpuDirection, damping);
            if (i == 0)
            {
                var first = gpuDirection.ToArray();
                firstDifference = first.Select((value, j) => Math.Abs(value - firstCpu[j])).Max() / firstCpu.Max(Math.Abs);
            }
            vectors.Axpy(eta, gpuDirection, gpuTheta);
        }

        return (cpuCurve, gpuCurve, TeacherStudent.RelativeDifferences(cpuCurve, gpuCurve), firstDifference);
    }
}
