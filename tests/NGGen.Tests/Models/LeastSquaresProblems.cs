using NGGen;

namespace NGGen.Tests.Models;

// Moré, Garbow & Hillstrom (1981) test problems with known minimisers, written as NGGen models.
// Problems without data take one dummy sample; residual vectors are the model outputs.

/// <summary>MGH 1, Rosenbrock: r = (10(x₂ − x₁²), 1 − x₁); x* = (1, 1).</summary>
[Model]
public static partial class Rosenbrock
{
    [Residual]
    static Vec R(double unused, [Param] double x1, [Param] double x2) => Vec.Of(10 * (x2 - x1 * x1), 1 - x1);
}

/// <summary>MGH 2, Freudenstein and Roth; global minimiser x* = (5, 4).</summary>
[Model]
public static partial class FreudensteinRoth
{
    [Residual]
    static Vec R(double unused, [Param] double x1, [Param] double x2) =>
        Vec.Of(-13 + x1 + ((5 - x2) * x2 - 2) * x2, -29 + x1 + ((x2 + 1) * x2 - 14) * x2);
}

/// <summary>MGH 13, Powell singular: x* = 0, with a singular Jacobian there.</summary>
[Model]
public static partial class PowellSingular
{
    [Residual]
    static Vec R(double unused, [Param] double x1, [Param] double x2, [Param] double x3, [Param] double x4) =>
        Vec.Of(x1 + 10 * x2, Math.Sqrt(5) * (x3 - x4), (x2 - 2 * x3) * (x2 - 2 * x3), Math.Sqrt(10) * (x1 - x4) * (x1 - x4));
}

/// <summary>MGH 4, Brown badly scaled: x* = (1e6, 2e-6).</summary>
[Model]
public static partial class BrownBadlyScaled
{
    [Residual]
    static Vec R(double unused, [Param] double x1, [Param] double x2) => Vec.Of(x1 - 1e6, x2 - 2e-6, x1 * x2 - 2);
}

/// <summary>MGH 12, Box three-dimensional, tᵢ = 0.1·i, i = 1..10: x* = (1, 10, 1).</summary>
[Model]
public static partial class Box3D
{
    [Residual]
    static double R(double t, [Param] double x1, [Param] double x2, [Param] double x3) =>
        Math.Exp(-t * x1) - Math.Exp(-t * x2) - x3 * (Math.Exp(-t) - Math.Exp(-10 * t));
}

/// <summary>MGH 5, Beale: yᵢ − x₁(1 − x₂ⁱ) with y = (1.5, 2.25, 2.625): x* = (3, 0.5).</summary>
[Model]
public static partial class Beale
{
    [Forward]
    static double Predict(double i, [Param] double x1, [Param] double x2) => x1 * (1 - Math.Pow(x2, i));
}

/// <summary>A noise-free exponential decay with offset: y = a·e^(−b·t) + c.</summary>
[Model]
public static partial class DecayWithOffset
{
    [Forward]
    static double Predict(double t, [Param] double a, [Param] double b, [Param] double c) => a * Math.Exp(-b * t) + c;
}
