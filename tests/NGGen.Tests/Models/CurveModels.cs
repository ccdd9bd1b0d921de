using NGGen;

namespace NGGen.Tests.Models;

/// <summary>Scalar curve model: y = b1 (1 − e^(−b2 x)) (NIST "Misra1a" form).</summary>
[Model]
public static partial class Exponential
{
    [Forward]
    static double Predict(double x, [Param] double b1, [Param] double b2) => b1 * (1 - Math.Exp(-b2 * x));
}

/// <summary>Scalar curve model with Pow and division: y = b1 / (1 + e^(b2 − b3 x))^(1/b4) (NIST "Rat43").</summary>
[Model]
public static partial class Rat43
{
    [Forward]
    static double Predict(double x, [Param] double b1, [Param] double b2, [Param] double b3, [Param] double b4) =>
        b1 / Math.Pow(1 + Math.Exp(b2 - b3 * x), 1 / b4);
}

/// <summary>A model written in single precision (float signature, MathF): y = a·e^(−b·x) + c·sin(x).</summary>
[Model]
public static partial class FloatDecay
{
    [Forward]
    static float Predict(float x, [Param] float a, [Param(Value = 0.5)] float b, [Param] float c) => a * MathF.Exp(-b * x) + c * MathF.Sin(x);
}

/// <summary>A straight line y = a·t + c (linear least squares: the minimiser has a closed form).</summary>
[Model]
public static partial class Line
{
    [Forward]
    static double Predict(double t, [Param] double a, [Param] double c) => a * t + c;
}
