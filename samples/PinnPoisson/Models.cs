using NGGen;
using static NGGen.Ops;

namespace NGGen.Samples.PinnPoisson;

/// <summary>Müller and Zeinhofer's 2D Poisson PINN: −Δu = 2π² sin(πx) sin(πy) on the unit square, u = 0 on the
/// boundary, exact u* = sin(πx) sin(πy); a tanh network [2, 32, 1] (129 parameters).</summary>
[Model]
public partial class Poisson2D
{
    [Param(32, 2)] Mat W1 = null!;
    [Param(32)] Vec b1 = null!;
    [Param(1, 32)] Mat W2 = null!;
    [Param(1)] Vec b2 = null!;

    [Forward] Vec U(Vec x) => W2 * Tanh(W1 * x + b1) + b2;

    [Residual] Vec Interior(Vec x) => -Laplacian(U, x) - 2 * PI * PI * Sin(PI * x[0]) * Sin(PI * x[1]);

    [Residual] Vec Boundary(Vec x) => U(x);
}

/// <summary>Müller and Zeinhofer's 5D Poisson PINN: −Δu = π² Σᵢ sin(πxᵢ) on [0, 1]⁵ with u = u* on the boundary,
/// exact u* = Σᵢ sin(πxᵢ); the paper's tanh network [5, 64, 1] (449 parameters), used by <c>--full</c>.</summary>
[Model]
public partial class Poisson5D
{
    [Param(64, 5)] Mat W1 = null!;
    [Param(64)] Vec b1 = null!;
    [Param(1, 64)] Mat W2 = null!;
    [Param(1)] Vec b2 = null!;

    [Forward] Vec U(Vec x) => W2 * Tanh(W1 * x + b1) + b2;

    [Residual] Vec Interior(Vec x) => -Laplacian(U, x) - PI * PI * Sum(Sin(PI * x));

    [Residual] Vec Boundary(Vec x) => U(x) - Sum(Sin(PI * x));
}

/// <summary><see cref="Poisson5D"/> with a narrower network [5, 16, 1] (113 parameters) for the default run: NGGen's
/// Jacobi eigensolver needs seconds per Gramian of 449 parameters.</summary>
[Model]
public partial class Poisson5DNarrow
{
    [Param(16, 5)] Mat W1 = null!;
    [Param(16)] Vec b1 = null!;
    [Param(1, 16)] Mat W2 = null!;
    [Param(1)] Vec b2 = null!;

    [Forward] Vec U(Vec x) => W2 * Tanh(W1 * x + b1) + b2;

    [Residual] Vec Interior(Vec x) => -Laplacian(U, x) - PI * PI * Sum(Sin(PI * x));

    [Residual] Vec Boundary(Vec x) => U(x) - Sum(Sin(PI * x));
}

/// <summary>Müller and Zeinhofer's heat-equation PINN: u_t = ¼ u_xx on (t, x) ∈ [0, 1]², u(0, x) = sin(πx),
/// u(t, 0) = u(t, 1) = 0, exact u* = e^(−π²t/4) sin(πx); the paper's tanh network [2, 64, 1] (257 parameters),
/// used by <c>--full</c>. The input is z = (t, x).</summary>
[Model]
public partial class Heat1D
{
    [Param(64, 2)] Mat W1 = null!;
    [Param(64)] Vec b1 = null!;
    [Param(64)] Vec w2 = null!;
    [Param] double b2;

    // Scalar-valued so that Grad (which takes a scalar function of a vector) applies to it.
    [Forward] double U(Vec z) => Dot(w2, Tanh(W1 * z + b1)) + b2;

    /// <summary>∂u/∂t: the first component of ∇u.</summary>
    [Forward] double Ut(Vec z) => Grad(U, z)[0];

    /// <summary>∂u/∂x: the second component of ∇u.</summary>
    [Forward] double Ux(Vec z) => Grad(U, z)[1];

    /// <summary>∂²u/∂x²: the x-component of the gradient of ∂u/∂x (the DSL's Laplacian would add u_tt).</summary>
    [Forward] double Uxx(Vec z) => Grad(Ux, z)[1];

    [Residual] double Interior(Vec z) => Ut(z) - 0.25 * Uxx(z);

    [Residual] double Initial(Vec z) => U(z) - Sin(PI * z[1]);

    [Residual] double Boundary(Vec z) => U(z);
}

/// <summary><see cref="Heat1D"/> with a narrower network [2, 32, 1] (129 parameters) for the default run.</summary>
[Model]
public partial class Heat1DNarrow
{
    [Param(32, 2)] Mat W1 = null!;
    [Param(32)] Vec b1 = null!;
    [Param(32)] Vec w2 = null!;
    [Param] double b2;

    [Forward] double U(Vec z) => Dot(w2, Tanh(W1 * z + b1)) + b2;

    [Forward] double Ut(Vec z) => Grad(U, z)[0];

    [Forward] double Ux(Vec z) => Grad(U, z)[1];

    [Forward] double Uxx(Vec z) => Grad(Ux, z)[1];

    [Residual] double Interior(Vec z) => Ut(z) - 0.25 * Uxx(z);

    [Residual] double Initial(Vec z) => U(z) - Sin(PI * z[1]);

    [Residual] double Boundary(Vec z) => U(z);
}
