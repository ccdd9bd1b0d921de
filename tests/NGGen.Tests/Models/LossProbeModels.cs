using NGGen;
using static NGGen.Ops;

namespace NGGen.Tests.Models;

/// <summary>A small tanh network R² → R³ whose outputs are used as logits (softmax, logistic) or values.</summary>
[Model]
public partial class LossProbeNet
{
    [Param(5, 2)] Mat W1 = null!;
    [Param(5)] Vec b1 = null!;
    [Param(3, 5)] Mat W2 = null!;
    [Param(3)] Vec b2 = null!;

    [Forward] Vec Logits(Vec x) => W2 * Tanh(W1 * x + b1) + b2;
}

/// <summary>Linear logistic regression R⁴ → one logit (with bias): convex, so Gauss-Newton is Newton.</summary>
[Model]
public partial class LinearLogit
{
    [Param(1, 4)] Mat w = null!;
    [Param(1)] Vec bias = null!;

    [Forward] Vec Logit([Shape(4)] Vec x) => w * x + bias;
}

/// <summary>Three logits set by the parameters (times the input, 1 in the tests): softmax losses at chosen logits.</summary>
[Model]
public partial class FreeLogits
{
    [Param(3)] Vec z = null!;

    [Forward] Vec Logits([Shape(1)] Vec x) => z * x[0];
}

/// <summary>f(x) = a·sin(b·x) + c with its generated input derivative: closed forms for the H¹ metric.</summary>
[Model]
public partial class SineWave
{
    [Param] double a;
    [Param] double b;
    [Param] double c;

    [Forward] double U(double x) => a * Sin(b * x) + c;

    [Forward] double DU(double x) => Derivative(U, x);
}
