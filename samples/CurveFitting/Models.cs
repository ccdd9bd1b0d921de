using NGGen;

namespace NGGen.Samples.CurveFitting;

/// <summary>Exponential rise to a plateau, y = b1 (1 − e^(−b2 x)): NIST Misra1a and BoxBOD.</summary>
[Model]
public static partial class ExponentialRise
{
    [Forward]
    static double Predict(double x, [Param] double b1, [Param] double b2) => b1 * (1 - Math.Exp(-b2 * x));
}

/// <summary>Four-parameter sigmoid, y = b1 / (1 + e^(b2 − b3 x))^(1/b4): NIST Rat43.</summary>
[Model]
public static partial class Sigmoid4
{
    [Forward]
    static double Predict(double x, [Param] double b1, [Param] double b2, [Param] double b3, [Param] double b4) =>
        b1 / Math.Pow(1 + Math.Exp(b2 - b3 * x), 1 / b4);
}

/// <summary>Gaussian peak, y = (b1/b2) e^(−½((x − b3)/b2)²): NIST Eckerle4.</summary>
[Model]
public static partial class GaussianPeak
{
    [Forward]
    static double Predict(double x, [Param] double b1, [Param] double b2, [Param] double b3) =>
        b1 / b2 * Math.Exp(-0.5 * ((x - b3) / b2) * ((x - b3) / b2));
}

/// <summary>Cubic-over-cubic rational function: NIST Thurber.</summary>
[Model]
public static partial class Rational33
{
    [Forward]
    static double Predict(double x, [Param] double b1, [Param] double b2, [Param] double b3, [Param] double b4,
        [Param] double b5, [Param] double b6, [Param] double b7) =>
        (b1 + b2 * x + b3 * x * x + b4 * x * x * x) / (1 + b5 * x + b6 * x * x + b7 * x * x * x);
}

/// <summary>Decay to an offset, y = a e^(−b x) + c: the robust-loss example.</summary>
[Model]
public static partial class DecayToOffset
{
    [Forward]
    static double Predict(double x, [Param] double a, [Param] double b, [Param] double c) => a * Math.Exp(-b * x) + c;
}
