using BenchmarkDotNet.Attributes;
using NGGen.Kernels;

namespace NGGen.Bench;

/// <summary>Square row-major <see cref="Gemm.Multiply{T}"/> (C = A·B) in float and double.</summary>
[MemoryDiagnoser]
[Config(typeof(FlopsConfig))]
public class GemmBenchmarks
{
    private float[] _af = [];
    private float[] _bf = [];
    private float[] _cf = [];
    private double[] _ad = [];
    private double[] _bd = [];
    private double[] _cd = [];

    /// <summary>Gets or sets m = n = k.</summary>
    [Params(64, 256, 1024)]
    public int Size { get; set; }

    /// <summary>Fills the operands with reproducible values in [-1, 1).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        int length = Size * Size;
        _af = new float[length];
        _bf = new float[length];
        _cf = new float[length];
        _ad = new double[length];
        _bd = new double[length];
        _cd = new double[length];
        for (int i = 0; i < length; i++)
        {
            _ad[i] = (random.NextDouble() * 2) - 1;
            _bd[i] = (random.NextDouble() * 2) - 1;
            _af[i] = (float)_ad[i];
            _bf[i] = (float)_bd[i];
        }
    }

    /// <summary>Single precision.</summary>
    [Benchmark]
    public void Float() => Gemm.Multiply<float>(false, false, Size, Size, Size, _af, Size, _bf, Size, _cf, Size, false);

    /// <summary>Double precision.</summary>
    [Benchmark]
    public void Double() => Gemm.Multiply<double>(false, false, Size, Size, Size, _ad, Size, _bd, Size, _cd, Size, false);
}
