using NGGen.Cuda;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// GN-CG on the teacher-student regression (<see cref="TeacherStudent"/>) through the one solver call
/// <see cref="LeastSquaresTraining.GaussNewtonCg"/>, asked once for the CPU and once for the GPU, from the same θ:
/// the loss curves must agree, and each run must have taken the backend asked for.
/// </summary>
public static class GaussNewtonRun
{
    public static (double[] Cpu, double[] Gpu, double[] RelativeDifferences) Run(int batch, int iterations)
    {
        var data = TeacherStudent.Create(batch);
        var options = new GaussNewtonCgOptions { MaxCgIterations = 30 };
        LeastSquaresRun Train(BackendPreference preference)
        {
            var run = LeastSquaresTraining.GaussNewtonCg<Mlp3>(0, data.Inputs, batch, data.Targets, data.Weight, (double[])data.Start.Clone(),
                iterations, options, preference);
            var expected = preference == BackendPreference.Cuda ? ComputeBackend.Cuda : ComputeBackend.Cpu;
            if (run.Backend != expected)
                throw new InvalidOperationException($"GN-CG asked for {preference} ran on {run.Backend}: {run.Reason}");
            return run;
        }

        var cpu = Train(BackendPreference.Cpu).Costs;
        var gpu = Train(BackendPreference.Cuda).Costs;
        return (cpu, gpu, TeacherStudent.RelativeDifferences(cpu, gpu));
    }
}
