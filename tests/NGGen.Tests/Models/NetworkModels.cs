using NGGen;
using static NGGen.Ops;

namespace NGGen.Tests.Models;

/// <summary>A three-layer MLP R³ → R² with mixed activations.</summary>
[Model]
public partial class Mlp3
{
    [Param(16, 3)] Mat W1 = null!;
    [Param(16)] Vec b1 = null!;
    [Param(12, 16)] Mat W2 = null!;
    [Param(12)] Vec b2 = null!;
    [Param(2, 12)] Mat W3 = null!;
    [Param(2)] Vec b3 = null!;

    [Forward]
    Vec Predict(Vec x)
    {
        var h1 = Tanh(W1 * x + b1);
        var h2 = Gelu(W2 * h1 + b2);
        return W3 * h2 + b3;
    }
}

/// <summary>
/// An MLP R⁴ → R³ with two 136-wide hidden layers: wide enough (≥ 128 rows) that each layer's bias and activation run
/// inside its product as a GEMM epilogue, with 136 = 17 row panels of 8 so the epilogue runs on many blocks while
/// later blocks still read the product's operands.
/// </summary>
[Model]
public partial class WideMlp
{
    [Param(136, 4)] Mat W1 = null!;
    [Param(136)] Vec b1 = null!;
    [Param(136, 136)] Mat W2 = null!;
    [Param(136)] Vec b2 = null!;
    [Param(3, 136)] Mat W3 = null!;
    [Param(3)] Vec b3 = null!;

    [Forward]
    Vec Predict(Vec x)
    {
        var h1 = Tanh(W1 * x + b1);
        var h2 = Tanh(W2 * h1 + b2);
        return W3 * h2 + b3;
    }
}

/// <summary>A model with a loop: a small recurrent cell unrolled over the four entries of the input.</summary>
[Model]
public partial class Recurrent
{
    [Param(6, 6)] Mat Wh = null!;
    [Param(6)] Vec wx = null!;
    [Param(6)] Vec b = null!;
    [Param(6)] Vec readout = null!;

    [Forward]
    double Predict([Shape(4)] Vec x)
    {
        var h = Tanh(wx * x[0] + b);
        for (int t = 1; t < 4; t++)
            h = Tanh(Wh * h + wx * x[t] + b);
        return Dot(readout, h);
    }
}

/// <summary>A model whose functions call other model methods (a shared layer helper, twice).</summary>
[Model]
public partial class TwoLayerWithHelper
{
    [Param(8, 2)] Mat A = null!;
    [Param(8)] Vec a = null!;
    [Param(3, 8)] Mat B = null!;
    [Param(3)] Vec c = null!;

    [Forward] Vec Predict(Vec x) => Layer(B, c, Layer(A, a, x));

    [Forward] double Energy(Vec x) => Sum(Square(Predict(x))) / 2;

    static Vec Layer(Mat w, Vec bias, Vec input) => Softplus(w * input + bias);

    static Vec Square(Vec v) => v * v;
}

/// <summary>A closed-form Laplacian check: u = a·x₀²·x₁³ + b·sin(x₀)·e^x₁, so Δu = a(2x₁³ + 6x₀²x₁)
/// (the b term is harmonic).</summary>
[Model]
public partial class LaplacianProbe
{
    [Param] double a;
    [Param] double b;

    [Forward]
    double U([Shape(2)] Vec x) => a * x[0] * x[0] * x[1] * x[1] * x[1] + b * Sin(x[0]) * Exp(x[1]);

    [Forward]
    double LaplacianOfU([Shape(2)] Vec x) => Laplacian(U, x);

    [Forward]
    Vec GradientOfU([Shape(2)] Vec x) => Grad(U, x);
}
