using NGGen;
using static NGGen.Ops;

namespace NGGen.Tests.Models;

/// <summary>One function per primitive of the model language, each applied to affine maps of the
/// input so every primitive sits between parameters and outputs.</summary>
[Model]
public partial class PrimitiveZoo
{
    [Param(4, 3)] Mat W = null!;
    [Param(4)] Vec b = null!;
    [Param(4, 3)] Mat V = null!;
    [Param(3, 3)] Mat S = null!;
    [Param] double k;

    Vec Z(Vec x) => W * x + b;
    Vec Y(Vec x) => V * x + 0.5;
    Vec Positive(Vec x) => Z(x) * Z(x) + 1;

    [Forward] Vec Add(Vec x) => Z(x) + Y(x);
    [Forward] Vec Subtract(Vec x) => Z(x) - Y(x) - k;
    [Forward] Vec Multiply(Vec x) => Z(x) * Y(x) * k;
    [Forward] Vec Divide(Vec x) => Y(x) / Positive(x) + 1 / Positive(x);
    [Forward] Vec Negate(Vec x) => -Z(x);
    [Forward] Vec ExpOp(Vec x) => Exp(Z(x));
    [Forward] Vec Expm1Op(Vec x) => Expm1(0.5 * Z(x)) * Y(x);
    [Forward] Vec LogOp(Vec x) => Log(Positive(x));
    [Forward] Vec Log1pOp(Vec x) => Log1p(Z(x) * Z(x)) + Log1p(0.9 * Sigmoid(Y(x)) - 0.5);
    [Forward] Vec SinOp(Vec x) => Sin(Z(x));
    [Forward] Vec CosOp(Vec x) => Cos(Z(x));
    [Forward] Vec TanOp(Vec x) => Tan(0.3 * Z(x));
    [Forward] Vec TanhOp(Vec x) => Tanh(Z(x));
    [Forward] Vec SqrtOp(Vec x) => Sqrt(Positive(x));
    [Forward] Vec PowOp(Vec x) => Pow(Positive(x), 1.5);
    [Forward] double PowScalarExponent(Vec x) => Pow(Positive(x)[0], k);
    [Forward] Vec AtanOp(Vec x) => Atan(Z(x));
    [Forward] Vec AbsOp(Vec x) => Abs(Z(x));
    [Forward] Vec SigmoidOp(Vec x) => Sigmoid(Z(x));
    [Forward] Vec SoftplusOp(Vec x) => Softplus(3 * Z(x));
    [Forward] Vec ReluOp(Vec x) => Relu(Z(x));
    [Forward] Vec GeluOp(Vec x) => Gelu(Z(x));
    [Forward] Vec MathFunctions(Vec x) => Vec.Of(Math.Exp(Z(x)[0]), Math.Sqrt(Positive(x)[1]), Math.Atan(Z(x)[2]), Math.Pow(Positive(x)[3], 0.7));
    [Forward] Vec MatrixVector(Vec x) => S * x;
    [Forward] Vec MatrixMatrix(Vec x) => (S * S.T) * x + Transpose(W) * Z(x);
    [Forward] double DotOp(Vec x) => Dot(Z(x), Y(x));
    [Forward] double SumOp(Vec x) => Sum(Z(x));
    [Forward] double IndexOp(Vec x) => Z(x)[1] * Z(x)[3] + W[2, 1];
    [Forward] Vec SliceOp(Vec x) => Z(x)[1..3] * Y(x)[2..];
    [Forward] Vec ConcatOp(Vec x) => Concat(Z(x)[0..2], Vector(k, Dot(b, b)), x);
    [Forward] double OuterOp(Vec x) => Sum(Outer(Z(x), x) * k);
    [Forward] Vec GradOp(Vec x) => Grad(Energy, x);
    [Forward] Mat JacobianOp(Vec x) => Jacobian(Z, x) * S;
    [Forward] double DerivativeOp([Shape(3)] Vec x) => Derivative(Cubic, x[0]);

    double Energy(Vec x) => Sum(Tanh(Z(x))) + k * Dot(x, x);
    double Cubic(double t) => k * t * t * t + Sin(t);
}
