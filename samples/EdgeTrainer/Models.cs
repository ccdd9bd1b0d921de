using NGGen;
using static NGGen.Ops;

namespace NGGen.Samples.EdgeTrainer;

/// <summary>A small regression network y = f(x₁, x₂): two tanh layers of 16, 337 parameters.</summary>
[Model]
public partial class WaveMlp
{
    [Param(16, 2)] Mat W1 = null!;
    [Param(16)] Vec b1 = null!;
    [Param(16, 16)] Mat W2 = null!;
    [Param(16)] Vec b2 = null!;
    [Param(1, 16)] Mat W3 = null!;
    [Param(1)] Vec b3 = null!;

    [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2) + b3;
}

/// <summary>A curve y = a·e^(−b·x) + c: three parameters.</summary>
[Model]
public static partial class ExpDecay
{
    [Forward]
    static double Predict(double x, [Param(Value = 1)] double a, [Param(Value = 1)] double b, [Param(Value = 0)] double c) => a * Math.Exp(-b * x) + c;
}
