using System.Numerics;
using System.Reflection;
using Xunit;

namespace NGGen.Tests.Cuda;

/// <summary>
/// Every pass of every test model, run through its CUDA plan with the CUDA C kernels compiled for the CPU
/// (<see cref="HostCompiledKernels"/>), agrees with the generated C# for the same θ, inputs and seeds: to 1e-10
/// relative in double (the GPU acceptance bound) and 1e-4 in float. The device workspace starts as NaN, so a kernel
/// that reads an entry no step wrote shows up as a NaN difference. The gradient starts from nonzero values in both,
/// since VJPs add into it.
/// </summary>
public class HostRunOfEmittedCudaTests
{
    private const int Batch = 5;

    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (var type in EmittedCudaTests.ModelTypes)
            data.Add(type.FullName!);
        return data;
    }

    [HostCompilerTheory]
    [MemberData(nameof(Models))]
    public void EveryPassMatchesTheGeneratedCSharpInDouble(string model)
        => Run(model, typeof(double), 1e-10);

    [HostCompilerTheory]
    [InlineData("NGGen.Tests.Models.Mlp3")]
    [InlineData("NGGen.Tests.Models.SoftmaxMlp")]
    [InlineData("NGGen.Tests.Models.PoissonNet")]
    public void EveryPassMatchesTheGeneratedCSharpInFloat(string model)
        => Run(model, typeof(float), 1e-4);

    private static void Run(string model, Type element, double tolerance)
    {
        Assert.True(HostCompiledKernels.CompilerAvailable, "g++ is needed to run the emitted CUDA C on the CPU (apt-get install g++)");
        var type = EmittedCudaTests.ModelTypes.Single(t => t.FullName == model);
        var compare = typeof(HostRunOfEmittedCudaTests).GetMethod(nameof(Compare), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type, element);
        var failures = (List<string>)compare.Invoke(null, [tolerance])!;
        Assert.Empty(failures);
    }

    private static List<string> Compare<TModel, T>(double tolerance)
        where TModel : IModel<TModel>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint library = HostCompiledKernels.Load(TModel.Cuda, typeof(T) == typeof(float) ? "float" : "double");
        var failures = new List<string>();
        var random = new Random(17);
        T[] Fill(int length, double low, double high) => Enumerable.Range(0, length).Select(_ => T.CreateTruncating(low + (high - low) * random.NextDouble())).ToArray();

        int p = TModel.ParameterCount;
        var theta = new T[p];
        TModel.InitializeParameters<T>(theta, 3);
        for (int f = 0; f < TModel.Functions.Count; f++)
        {
            int inputSize = TModel.Functions[f].InputSize, outputSize = TModel.Functions[f].OutputSize;
            // Inputs in [0.2, 1.2]: inside the domain of every primitive the models use (log, sqrt, pow).
            var inputs = Fill(inputSize * Batch, 0.2, 1.2);
            var tangent = Fill(p, -1, 1);
            var cotangent = Fill(outputSize * Batch, -1, 1);
            var gradientStart = Fill(p, -1, 1);
            int linearizationLength = TModel.LinearizationLength(f, Batch);

            // The generated C#.
            T[] Workspace(EvaluationKind kind) => new T[TModel.WorkspaceLength(f, kind, Batch)];
            var outputs = new T[outputSize * Batch];
            TModel.Forward<T>(f, theta, inputs, Batch, outputs, Workspace(EvaluationKind.Forward));
            var jvp = new T[outputSize * Batch];
            TModel.Jvp<T>(f, theta, inputs, Batch, tangent, jvp, Workspace(EvaluationKind.Jvp));
            var gradient = (T[])gradientStart.Clone();
            TModel.Vjp<T>(f, theta, inputs, Batch, cotangent, gradient, Workspace(EvaluationKind.Vjp));
            var linearization = new T[linearizationLength];
            var linearizedOutputs = new T[outputSize * Batch];
            TModel.Linearize<T>(f, theta, inputs, Batch, linearization, linearizedOutputs, Workspace(EvaluationKind.Linearize));
            var linearizedJvp = new T[outputSize * Batch];
            TModel.LinearizedJvp<T>(f, theta, inputs, Batch, linearization, tangent, linearizedJvp, Workspace(EvaluationKind.LinearizedJvp));
            var linearizedGradient = (T[])gradientStart.Clone();
            TModel.LinearizedVjp<T>(f, theta, inputs, Batch, linearization, cotangent, linearizedGradient, Workspace(EvaluationKind.LinearizedVjp));

            // The CUDA plan, run on the CPU; the linearized passes read the device's own linearization.
            var device = new HostPlanRunner<T>(library) { Batch = Batch };
            device[DeviceRegion.Theta] = theta;
            device[DeviceRegion.Inputs] = inputs;
            device[DeviceRegion.Linearization] = Enumerable.Repeat(T.NaN, linearizationLength).ToArray();
            T[] Run(EvaluationKind kind, T[] seed, T[] result)
            {
                device[DeviceRegion.Seed] = seed;
                device[DeviceRegion.Result] = result;
                device[DeviceRegion.Workspace] = Enumerable.Repeat(T.NaN, TModel.WorkspaceLength(f, kind, Batch)).ToArray();
                TModel.CudaPlan(f, kind, Batch, device);
                return result;
            }

            void Check(string pass, T[] expected, T[] actual)
            {
                for (int i = 0; i < expected.Length; i++)
                {
                    double e = double.CreateTruncating(expected[i]), a = double.CreateTruncating(actual[i]);
                    bool bothNaN = double.IsNaN(e) && double.IsNaN(a);
                    if (!bothNaN && !(Math.Abs(a - e) <= tolerance * (1 + Math.Abs(e))))
                    {
                        failures.Add($"{TModel.Name} function {f} {pass}[{i}]: C# {e:R}, CUDA C {a:R}");
                        return;
                    }
                }
            }

            Check("Forward", outputs, Run(EvaluationKind.Forward, [], new T[outputSize * Batch]));
            Check("Jvp", jvp, Run(EvaluationKind.Jvp, tangent, new T[outputSize * Batch]));
            Check("Vjp", gradient, Run(EvaluationKind.Vjp, cotangent, (T[])gradientStart.Clone()));
            Check("Linearize", linearizedOutputs, Run(EvaluationKind.Linearize, [], new T[outputSize * Batch]));
            Check("LinearizedJvp", linearizedJvp, Run(EvaluationKind.LinearizedJvp, tangent, new T[outputSize * Batch]));
            Check("LinearizedVjp", linearizedGradient, Run(EvaluationKind.LinearizedVjp, cotangent, (T[])gradientStart.Clone()));
        }

        return failures;
    }
}
