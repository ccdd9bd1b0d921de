using NGGen;
using static NGGen.Ops;

namespace Quickstart;

/// <summary>A curve model: y = b1 (1 − e^(−b2 x)).</summary>
[Model]
public static partial class Exponential
{
    [Forward]
    static double Predict(double x, [Param(Value = 200)] double b1, [Param(Value = 1e-4)] double b2) => b1 * (1 - Math.Exp(-b2 * x));
}

/// <summary>A physics-informed network for −Δu = f on the unit square with u = 0 on the boundary.</summary>
[Model]
public partial class PoissonNet
{
    [Param(32, 2)] Mat W1 = null!;
    [Param(32)] Vec b1 = null!;
    [Param(1, 32)] Mat W2 = null!;
    [Param(1)] Vec b2 = null!;

    [Forward] Vec U(Vec x) => W2 * Tanh(W1 * x + b1) + b2;

    [Residual] Vec Interior(Vec x) => -Laplacian(U, x) - Source(x);

    [Residual] Vec Boundary(Vec x) => U(x);

    static double Source(Vec x) => 2 * PI * PI * Sin(PI * x[0]) * Sin(PI * x[1]);
}
