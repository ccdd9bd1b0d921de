using NGGen;
using static NGGen.Ops;

namespace NGGen.Tests.Models;

/// <summary>The DESIGN.md PINN: a tanh network on R² with the residuals of −Δu = f and u = 0 on the boundary.</summary>
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

/// <summary>A small 1D PINN: −u'' = π² sin(πx) on (0, 1), u(0) = u(1) = 0, exact u* = sin(πx).</summary>
[Model]
public partial class Poisson1D
{
    [Param(8, 1)] Mat W1 = null!;
    [Param(8)] Vec b1 = null!;
    [Param(1, 8)] Mat W2 = null!;
    [Param(1)] Vec b2 = null!;

    [Forward] Vec U([Shape(1)] Vec x) => W2 * Tanh(W1 * x + b1) + b2;

    [Residual] Vec Interior([Shape(1)] Vec x) => -Laplacian(U, x) - PI * PI * Sin(PI * x);

    [Residual] Vec Boundary([Shape(1)] Vec x) => U(x);
}
