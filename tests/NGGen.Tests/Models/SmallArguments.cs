using NGGen;
using static NGGen.Ops;

namespace NGGen.Tests.Models;

/// <summary>Softplus, log1p and expm1 where their values are tiny (softplus far left of zero, log1p and expm1 near zero), batched
/// (vector kernels) and on a parameter alone (the scalar form).</summary>
[Model]
public partial class SmallArguments
{
    [Param] double a;

    [Forward] Vec SoftplusOf([Shape(1)] Vec x) => Softplus(a * x);
    [Forward] Vec Log1pOf([Shape(1)] Vec x) => Log1p(a * x);
    [Forward] double Log1pOfParameter([Shape(1)] Vec x) => Log1p(a) + x[0];
    [Forward] Vec Expm1Of([Shape(1)] Vec x) => Expm1(a * x);
    [Forward] double Expm1OfParameter([Shape(1)] Vec x) => Expm1(a) + x[0];
}
