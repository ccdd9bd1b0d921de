using NGGen.Cuda;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// Steps θ ← θ + η·δ(θ) from the same start once on the CPU and once on the GPU, recording the cost before each step,
/// and compares the two: the cost curves entry by entry, and the first directions (largest entry difference over the
/// largest CPU entry). The direction solvers the runs compare differ only in these callbacks.
/// </summary>
public static class DirectionComparison
{
    public sealed record Curves(double[] Cpu, double[] Gpu, double[] RelativeDifferences, double FirstDirectionDifference);

    /// <param name="cublas">For the GPU update θ += η·δ.</param>
    /// <param name="start">θ₀.</param>
    /// <param name="eta">The step size η.</param>
    /// <param name="iterations">Steps on each side.</param>
    /// <param name="cpuDirection">Writes δ at θ into its second argument and returns the cost at θ.</param>
    /// <param name="gpuDirection">The same on device buffers.</param>
    /// <param name="afterStep">Called after each direction with the step index and whether it was the GPU's.</param>
    public static Curves Run(Cublas cublas, double[] start, double eta, int iterations,
        Func<double[], double[], double> cpuDirection, Func<DeviceBuffer<double>, DeviceBuffer<double>, double> gpuDirection,
        Action<int, bool>? afterStep = null)
    {
        int p = start.Length;
        var cpuTheta = (double[])start.Clone();
        var direction = new double[p];
        var firstCpu = new double[p];
        var cpuCurve = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            cpuCurve[i] = cpuDirection(cpuTheta, direction);
            afterStep?.Invoke(i, false);
            if (i == 0)
                direction.CopyTo(firstCpu, 0);
            for (int j = 0; j < p; j++)
                cpuTheta[j] += eta * direction[j];
        }

        using var gpuTheta = new DeviceBuffer<double>(start);
        using var gpuStep = new DeviceBuffer<double>(p);
        var vectors = new CudaVectors(cublas);
        var gpuCurve = new double[iterations];
        double firstDifference = double.NaN;
        for (int i = 0; i < iterations; i++)
        {
            gpuCurve[i] = gpuDirection(gpuTheta, gpuStep);
            afterStep?.Invoke(i, true);
            if (i == 0)
            {
                var first = gpuStep.ToArray();
                firstDifference = first.Select((value, j) => Math.Abs(value - firstCpu[j])).Max() / firstCpu.Max(Math.Abs);
            }
            vectors.Axpy(eta, gpuStep, gpuTheta);
        }

        return new Curves(cpuCurve, gpuCurve, TeacherStudent.RelativeDifferences(cpuCurve, gpuCurve), firstDifference);
    }
}
