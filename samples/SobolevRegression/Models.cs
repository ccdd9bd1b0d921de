using NGGen;
using static NGGen.Ops;

namespace NGGen.Samples.SobolevRegression;

/// <summary>
/// The regression network: a one-hidden-layer tanh network R → R (1-32-1, 97 parameters). <see cref="U"/> is the fit,
/// <see cref="DU"/> and <see cref="D2U"/> its first and second input derivatives, which the Sobolev metrics
/// (H¹, H²) and the derivative-error figures read. In one dimension the Laplacian is f''.
/// </summary>
[Model]
public partial class RegressionNet
{
    [Param(32, 1)] Mat W1 = null!;
    [Param(32)] Vec b1 = null!;
    [Param(32)] Vec w2 = null!;
    [Param] double b2;

    /// <summary>f(x).</summary>
    [Forward]
    double U([Shape(1)] Vec x) => Dot(w2, Tanh(W1 * x + b1)) + b2;

    /// <summary>f'(x) (one entry).</summary>
    [Forward]
    Vec DU([Shape(1)] Vec x) => Grad(U, x);

    /// <summary>f''(x).</summary>
    [Forward]
    double D2U([Shape(1)] Vec x) => Laplacian(U, x);
}

/// <summary>
/// The classifier: a one-hidden-layer tanh network R² → R (2-20-1, 81 parameters) whose output is the logit of class 1
/// (binary logistic loss). <see cref="GradLogit"/> and <see cref="HessianLogit"/> are its input gradient
/// and Hessian, for the H¹ and H² metrics on the logit function.
/// </summary>
[Model]
public partial class MoonsNet
{
    [Param(20, 2)] Mat W1 = null!;
    [Param(20)] Vec b1 = null!;
    [Param(20)] Vec w2 = null!;
    [Param] double b2;

    /// <summary>The logit z(x).</summary>
    [Forward]
    double Logit([Shape(2)] Vec x) => Dot(w2, Tanh(W1 * x + b1)) + b2;

    /// <summary>∇ₓz (two entries).</summary>
    [Forward]
    Vec GradLogit([Shape(2)] Vec x) => Grad(Logit, x);

    /// <summary>∇ₓ²z (2×2, row-major).</summary>
    [Forward]
    Mat HessianLogit([Shape(2)] Vec x) => Jacobian(GradLogit, x);
}
