using System.Numerics;
using BenchmarkDotNet.Attributes;

namespace NGGen.Bench;

/// <summary>
/// Generated Forward/Jvp/Vjp of a three-layer tanh MLP against the hand-written TensorPrimitives
/// baseline, batch 256. Each implementation gets the same numbers in its own layout (generated:
/// feature-major; hand-written: sample-major); both are checked to agree before timing.
/// </summary>
[MemoryDiagnoser]
[GenericTypeArguments(typeof(Mlp64), typeof(float))]
[GenericTypeArguments(typeof(Mlp64), typeof(double))]
[GenericTypeArguments(typeof(Mlp256), typeof(float))]
[GenericTypeArguments(typeof(Mlp256), typeof(double))]
public class MlpBenchmarks<TModel, T>
    where TModel : IModel<TModel>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int Batch = 256;

    private T[] _theta = [], _tangent = [], _featureMajor = [], _sampleMajor = [], _outputs = [], _cotangent = [], _gradient = [], _workspace = [];
    private HandWrittenMlp<T> _handWritten = null!;

    [GlobalSetup]
    public void Setup()
    {
        var info = TModel.Functions[0];
        int width = info.InputSize;
        var random = new Random(1);
        _theta = new T[TModel.ParameterCount];
        TModel.InitializeParameters<T>(_theta, 1);
        _tangent = Enumerable.Range(0, TModel.ParameterCount).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();
        _sampleMajor = new T[width * Batch];
        _featureMajor = new T[width * Batch];
        for (int s = 0; s < Batch; s++)
            for (int i = 0; i < width; i++)
            {
                var v = T.CreateTruncating(2 * random.NextDouble() - 1);
                _sampleMajor[s * width + i] = v;
                _featureMajor[i * Batch + s] = v;
            }
        _outputs = new T[info.OutputSize * Batch];
        _cotangent = Enumerable.Range(0, info.OutputSize * Batch).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();
        _gradient = new T[TModel.ParameterCount];
        _workspace = new T[new[] { EvaluationKind.Forward, EvaluationKind.Jvp, EvaluationKind.Vjp }.Max(k => TModel.WorkspaceLength(0, k, Batch))];
        _handWritten = new HandWrittenMlp<T>(width);
        AgreementCheck.Verify<TModel, T>(_handWritten, _theta, _featureMajor, _sampleMajor, _tangent, _cotangent, Batch);
    }

    [Benchmark(Description = "Generated Forward")]
    public void GeneratedForward() => TModel.Forward<T>(0, _theta, _featureMajor, Batch, _outputs, _workspace);

    [Benchmark(Description = "Generated Jvp")]
    public void GeneratedJvp() => TModel.Jvp<T>(0, _theta, _featureMajor, Batch, _tangent, _outputs, _workspace);

    [Benchmark(Description = "Generated Vjp")]
    public void GeneratedVjp() => TModel.Vjp<T>(0, _theta, _featureMajor, Batch, _cotangent, _gradient, _workspace);

    [Benchmark(Description = "Hand-written Forward")]
    public void HandWrittenForward() => _handWritten.Forward(_theta, _sampleMajor, Batch, _outputs);

    [Benchmark(Description = "Hand-written Jvp")]
    public void HandWrittenJvp() => _handWritten.Jvp(_theta, _sampleMajor, Batch, _tangent, _outputs);

    [Benchmark(Description = "Hand-written Vjp")]
    public void HandWrittenVjp() => _handWritten.Vjp(_theta, _sampleMajor, Batch, _cotangent, _gradient);
}
