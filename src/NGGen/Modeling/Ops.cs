namespace NGGen;

/// <summary>
/// Functions a model may call (bring them in with <c>using static NGGen.Ops;</c>). Each has an exact
/// eager double-precision implementation; the generator compiles the same calls into batched code.
/// Elementwise functions accept a scalar, a <see cref="Vec"/> or a <see cref="Mat"/>.
/// </summary>
public static partial class Ops
{
    /// <summary>π.</summary>
    public const double PI = Math.PI;

    /// <summary>e.</summary>
    public const double E = Math.E;

    // The scalar definitions below are the reference semantics the generated code reproduces.
    public static double Exp(double x) => Math.Exp(x);
    public static double Log(double x) => Math.Log(x);
    public static double Sin(double x) => Math.Sin(x);
    public static double Cos(double x) => Math.Cos(x);
    public static double Tan(double x) => Math.Tan(x);
    public static double Tanh(double x) => Math.Tanh(x);
    public static double Sqrt(double x) => Math.Sqrt(x);
    public static double Atan(double x) => Math.Atan(x);
    public static double Abs(double x) => Math.Abs(x);
    public static double Pow(double x, double y) => Math.Pow(x, y);

    /// <summary>1 / (1 + e^(-x)).</summary>
    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>log(1 + x), accurate for small x (where log(1 + x) computed directly loses x's digits, and returns 0
    /// below the unit roundoff). Kahan's form: w = 1 + x rounded, then log(w) · x / (w − 1), or x where w is 1.</summary>
    public static double Log1p(double x)
    {
        double w = 1.0 + x;
        double d = w - 1.0;
        return d == 0 || double.IsPositiveInfinity(x) ? x : Math.Log(w) * (x / d);
    }

    /// <summary>e^x − 1, accurate for small x (where e^x − 1 computed directly loses x's digits, and returns 0 below
    /// the unit roundoff). Kahan's form: u = e^x rounded, then (u − 1) · x / log(u), or x where u is 1.</summary>
    public static double Expm1(double x)
    {
        double u = Math.Exp(x);
        double d = u - 1.0;
        return d == 0 ? x : double.IsPositiveInfinity(u) || d == -1.0 ? d : d * (x / Math.Log(u));
    }

    /// <summary>log(1 + e^x), evaluated as max(x, 0) + log1p(e^(-|x|)) so it never overflows and keeps its relative
    /// accuracy far left of zero (softplus(−40) = 4.25e-18, not 0).</summary>
    public static double Softplus(double x) => Relu(x) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary>max(x, 0).</summary>
    public static double Relu(double x) => x > 0 ? x : 0.0;

    /// <summary>The tanh approximation of GELU (PyTorch <c>approximate="tanh"</c>):
    /// x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³))).</summary>
    public static double Gelu(double x) => 0.5 * x * (1.0 + Math.Tanh(GeluScale * (x + GeluCubic * x * x * x)));

    internal const double GeluScale = 0.79788456080286535588; // √(2/π)
    internal const double GeluCubic = 0.044715;

    public static Vec Exp(Vec x) => x.Map(Exp);
    public static Vec Log(Vec x) => x.Map(Log);
    public static Vec Log1p(Vec x) => x.Map(Log1p);
    public static Vec Expm1(Vec x) => x.Map(Expm1);
    public static Vec Sin(Vec x) => x.Map(Sin);
    public static Vec Cos(Vec x) => x.Map(Cos);
    public static Vec Tan(Vec x) => x.Map(Tan);
    public static Vec Tanh(Vec x) => x.Map(Tanh);
    public static Vec Sqrt(Vec x) => x.Map(Sqrt);
    public static Vec Atan(Vec x) => x.Map(Atan);
    public static Vec Abs(Vec x) => x.Map(Abs);
    public static Vec Sigmoid(Vec x) => x.Map(Sigmoid);
    public static Vec Softplus(Vec x) => x.Map(Softplus);
    public static Vec Relu(Vec x) => x.Map(Relu);
    public static Vec Gelu(Vec x) => x.Map(Gelu);
    public static Vec Pow(Vec x, double y) => x.Map(v => Math.Pow(v, y));

    public static Mat Exp(Mat x) => x.Map(Exp);
    public static Mat Log(Mat x) => x.Map(Log);
    public static Mat Log1p(Mat x) => x.Map(Log1p);
    public static Mat Expm1(Mat x) => x.Map(Expm1);
    public static Mat Sin(Mat x) => x.Map(Sin);
    public static Mat Cos(Mat x) => x.Map(Cos);
    public static Mat Tanh(Mat x) => x.Map(Tanh);
    public static Mat Sqrt(Mat x) => x.Map(Sqrt);
    public static Mat Sigmoid(Mat x) => x.Map(Sigmoid);
    public static Mat Softplus(Mat x) => x.Map(Softplus);
    public static Mat Relu(Mat x) => x.Map(Relu);
    public static Mat Gelu(Mat x) => x.Map(Gelu);

    /// <summary>The inner product Σ aᵢbᵢ.</summary>
    public static double Dot(Vec a, Vec b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Vector lengths differ: {a.Length} and {b.Length}.");
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }

    /// <summary>The sum of the entries.</summary>
    public static double Sum(Vec x)
    {
        double sum = 0;
        foreach (double v in x.AsSpan())
            sum += v;
        return sum;
    }

    /// <summary>The sum of the entries.</summary>
    public static double Sum(Mat x)
    {
        double sum = 0;
        foreach (double v in x.AsSpan())
            sum += v;
        return sum;
    }

    /// <summary>The transpose.</summary>
    public static Mat Transpose(Mat m) => m.T;

    /// <summary>The outer product a bᵀ.</summary>
    public static Mat Outer(Vec a, Vec b)
    {
        var result = new Mat(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
            for (int j = 0; j < b.Length; j++)
                result[i, j] = a[i] * b[j];
        return result;
    }

    /// <summary>The vectors one after another.</summary>
    public static Vec Concat(params Vec[] parts)
    {
        int length = 0;
        foreach (var p in parts)
            length += p.Length;
        var values = new double[length];
        int at = 0;
        foreach (var p in parts)
        {
            p.AsSpan().CopyTo(values.AsSpan(at));
            at += p.Length;
        }
        return new Vec(values);
    }

    /// <summary>A vector of the given scalars.</summary>
    public static Vec Vector(params double[] values) => new(values);
}
