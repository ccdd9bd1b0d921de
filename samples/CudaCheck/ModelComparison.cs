using System.Diagnostics;
using System.Numerics;
using NGGen.Cuda;

namespace NGGen.Samples.CudaCheck;

/// <summary>One operation of one model on the CPU and the GPU.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Element">"float" or "double".</param>
/// <param name="Function">The function id.</param>
/// <param name="Operation">Forward, Jvp, Vjp, Linearize, LinearizedJvp or LinearizedVjp.</param>
/// <param name="RelativeDifference">max |gpu − cpu| / max |cpu| over the result's entries.</param>
/// <param name="CpuSeconds">Median CPU time per call.</param>
/// <param name="GpuSeconds">Median GPU time per call, synchronised.</param>
public sealed record ComparisonRow(string Model, string Element, int Function, string Operation, double RelativeDifference, double CpuSeconds, double GpuSeconds);

/// <summary>
/// Runs all six passes of a model's functions on the CPU (generated C#) and the GPU (<see cref="CudaModel{TModel,T}"/>)
/// with the same θ, inputs and seeds, as the test suite's host run of the CUDA C does, and times both.
/// </summary>
public static class ModelComparison
{
    public static List<ComparisonRow> Run<TModel, T>(CudaContext context, CudaModuleCache modules, Cublas cublas, int batch, int repetitions)
        where TModel : IModel<TModel>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rows = new List<ComparisonRow>();
        string element = typeof(T) == typeof(float) ? "float" : "double";
        var random = new Random(17);
        T[] Fill(int length, double low, double high) => Enumerable.Range(0, length).Select(_ => T.CreateTruncating(low + (high - low) * random.NextDouble())).ToArray();
        int p = TModel.ParameterCount;
        var theta = new T[p];
        TModel.InitializeParameters<T>(theta, 3);

        for (int f = 0; f < TModel.Functions.Count; f++)
        {
            int inputSize = TModel.Functions[f].InputSize, outputLength = TModel.Functions[f].OutputSize * batch;
            var inputs = Fill(inputSize * batch, 0.2, 1.2);
            var tangent = Fill(p, -1, 1);
            var cotangent = Fill(outputLength, -1, 1);
            int workspaceLength = Enum.GetValues<EvaluationKind>().Max(kind => TModel.WorkspaceLength(f, kind, batch));
            var workspace = new T[workspaceLength];
            var linearization = new T[TModel.LinearizationLength(f, batch)];

            using var gpu = new CudaModel<TModel, T>(context, modules, f, batch, cublas);
            using var dTheta = new DeviceBuffer<T>(theta);
            using var dInputs = new DeviceBuffer<T>(inputs);
            using var dTangent = new DeviceBuffer<T>(tangent);
            using var dCotangent = new DeviceBuffer<T>(cotangent);
            using var dOutputs = new DeviceBuffer<T>(outputLength);
            using var dGradient = new DeviceBuffer<T>(p);

            var outputs = new T[outputLength];
            var gradient = new T[p];
            void Compare(string operation, Action cpu, Action device, T[] cpuResult, DeviceBuffer<T> gpuResult, bool accumulates)
            {
                // VJPs add into the gradient: both sides start from zero for the compared call.
                if (accumulates)
                {
                    Array.Clear(cpuResult);
                    gpuResult.Clear();
                }

                cpu();
                device();
                context.Synchronize();
                var fromGpu = gpuResult.ToArray();
                double scale = 0, difference = 0;
                for (int i = 0; i < cpuResult.Length; i++)
                {
                    double c = double.CreateTruncating(cpuResult[i]), g = double.CreateTruncating(fromGpu[i]);
                    scale = Math.Max(scale, Math.Abs(c));
                    difference = Math.Max(difference, double.IsNaN(c - g) && !(double.IsNaN(c) && double.IsNaN(g)) ? double.PositiveInfinity : Math.Abs(c - g));
                }

                double cpuSeconds = Median(cpu, repetitions, null);
                double gpuSeconds = Median(device, repetitions, context);
                rows.Add(new ComparisonRow(TModel.Name, element, f, operation, scale > 0 ? difference / scale : difference, cpuSeconds, gpuSeconds));
            }

            Compare("Forward", () => TModel.Forward<T>(f, theta, inputs, batch, outputs, workspace), () => gpu.Forward(dTheta, dInputs, dOutputs), outputs, dOutputs, false);
            Compare("Jvp", () => TModel.Jvp<T>(f, theta, inputs, batch, tangent, outputs, workspace), () => gpu.Jvp(dTheta, dInputs, dTangent, dOutputs), outputs, dOutputs, false);
            Compare("Vjp", () => TModel.Vjp<T>(f, theta, inputs, batch, cotangent, gradient, workspace), () => gpu.Vjp(dTheta, dInputs, dCotangent, dGradient), gradient, dGradient, true);
            Compare("Linearize", () => TModel.Linearize<T>(f, theta, inputs, batch, linearization, outputs, workspace), () => gpu.Linearize(dTheta, dInputs, dOutputs), outputs, dOutputs, false);
            Compare("LinearizedJvp", () => TModel.LinearizedJvp<T>(f, theta, inputs, batch, linearization, tangent, outputs, workspace), () => gpu.LinearizedJvp(dTheta, dInputs, dTangent, dOutputs), outputs, dOutputs, false);
            Compare("LinearizedVjp", () => TModel.LinearizedVjp<T>(f, theta, inputs, batch, linearization, cotangent, gradient, workspace), () => gpu.LinearizedVjp(dTheta, dInputs, dCotangent, dGradient), gradient, dGradient, true);
        }

        return rows;
    }

    /// <summary>Median seconds per call after one warm-up call; <paramref name="context"/> non-null synchronises the GPU.</summary>
    public static double Median(Action call, int repetitions, CudaContext? context)
    {
        call();
        context?.Synchronize();
        var samples = new double[Math.Max(repetitions, 1)];
        for (int r = 0; r < samples.Length; r++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            context?.Synchronize();
            samples[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }
}
