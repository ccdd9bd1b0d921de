using System.Numerics;
using BenchmarkDotNet.Attributes;

namespace NGGen.Bench;

/// <summary>
/// The Gauss-Newton product G·v = Jᵀ(J v) (squared loss, H = I) against a gradient, three-layer tanh MLP,
/// batch 256. "Gradient" is one generated VJP (it runs its own forward). "Unfused" is what a solver
/// without linearization does: a JVP and a VJP, each with its forward. "Fused" is one linearized JVP and
/// one linearized VJP reading the activations that Linearize kept, which is what the Krylov solvers run
/// per CG step; "Linearize" is paid once per outer iteration.
/// </summary>
[GenericTypeArguments(typeof(Mlp64), typeof(float))]
[GenericTypeArguments(typeof(Mlp64), typeof(double))]
[GenericTypeArguments(typeof(Mlp256), typeof(float))]
[GenericTypeArguments(typeof(Mlp256), typeof(double))]
public class GaussNewtonBenchmarks<TModel, T>
    where TModel : IModel<TModel>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int Batch = 256;

    private T[] _theta = [], _tangent = [], _inputs = [], _outputs = [], _jv = [], _cotangent = [], _gradient = [], _workspace = [], _linearization = [];

    [GlobalSetup]
    public void Setup()
    {
        var info = TModel.Functions[0];
        var random = new Random(1);
        _theta = new T[TModel.ParameterCount];
        TModel.InitializeParameters<T>(_theta, 1);
        _tangent = Enumerable.Range(0, TModel.ParameterCount).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();
        _inputs = Enumerable.Range(0, info.InputSize * Batch).Select(_ => T.CreateTruncating(2 * random.NextDouble() - 1)).ToArray();
        _outputs = new T[info.OutputSize * Batch];
        _jv = new T[info.OutputSize * Batch];
        _cotangent = Enumerable.Range(0, info.OutputSize * Batch).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();
        _gradient = new T[TModel.ParameterCount];
        _workspace = new T[Enum.GetValues<EvaluationKind>().Max(k => TModel.WorkspaceLength(0, k, Batch))];
        _linearization = new T[TModel.LinearizationLength(0, Batch)];
        TModel.Linearize<T>(0, _theta, _inputs, Batch, _linearization, _outputs, _workspace);
        VerifyFusedEqualsUnfused();
    }

    /// <summary>The fused product must equal the unfused one before anything is timed.</summary>
    private void VerifyFusedEqualsUnfused()
    {
        UnfusedProduct();
        var unfused = _gradient.Select(double.CreateTruncating).ToArray();
        FusedProduct();
        var fused = _gradient.Select(double.CreateTruncating).ToArray();
        double scale = unfused.Max(Math.Abs), difference = unfused.Zip(fused, (a, b) => Math.Abs(a - b)).Max();
        double tolerance = typeof(T) == typeof(float) ? 1e-4 : 1e-12;
        if (difference > tolerance * scale)
            throw new InvalidOperationException($"{TModel.Name}<{typeof(T).Name}>: fused and unfused Gauss-Newton products differ by {difference / scale:E2} (relative).");
    }

    [Benchmark(Description = "Gradient (Vjp)", Baseline = true)]
    public void Gradient()
    {
        Array.Clear(_gradient);
        TModel.Vjp<T>(0, _theta, _inputs, Batch, _cotangent, _gradient, _workspace);
    }

    [Benchmark(Description = "GGN unfused (Jvp + Vjp)")]
    public void UnfusedProduct()
    {
        TModel.Jvp<T>(0, _theta, _inputs, Batch, _tangent, _jv, _workspace);
        Array.Clear(_gradient);
        TModel.Vjp<T>(0, _theta, _inputs, Batch, _jv, _gradient, _workspace);
    }

    [Benchmark(Description = "GGN fused (linearized Jvp + Vjp)")]
    public void FusedProduct()
    {
        TModel.LinearizedJvp<T>(0, _theta, _inputs, Batch, _linearization, _tangent, _jv, _workspace);
        Array.Clear(_gradient);
        TModel.LinearizedVjp<T>(0, _theta, _inputs, Batch, _linearization, _jv, _gradient, _workspace);
    }

    [Benchmark(Description = "Linearize (once per outer iteration)")]
    public void Linearize() => TModel.Linearize<T>(0, _theta, _inputs, Batch, _linearization, _outputs, _workspace);
}
