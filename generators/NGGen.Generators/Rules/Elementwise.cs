using NGGen.Generators.Ir;

namespace NGGen.Generators.Rules;

/// <summary>Elementwise primitives: evaluation (for constant folding), JVP and transpose rules.</summary>
internal static partial class PrimitiveRules
{
    private static int? ElementwiseJvp(ProgramBuilder b, int id, int?[] dx)
    {
        var node = b[id];
        int x = node.Input(0);
        int? da = dx[0];
        int One() => b.Scalar(1);
        switch (node.Op)
        {
            case Op.Add: return Sum(b, dx[0], dx[1]);
            case Op.Sub: return dx[1] is int db0 ? (da is int a0 ? b.Sub(a0, db0) : b.Neg(db0)) : da;
            case Op.Mul:
            {
                int y = node.Input(1);
                int? left = da is int a1 ? b.Mul(a1, y) : null;
                int? right = dx[1] is int b1 ? b.Mul(x, b1) : null;
                return Sum(b, left, right);
            }
            case Op.Div:
            {
                // d(a/b) = (da - (a/b)·db) / b
                int y = node.Input(1);
                int? numerator = dx[1] is int db ? (da is int a2 ? b.Sub(a2, b.Mul(id, db)) : b.Neg(b.Mul(id, db))) : da;
                return b.Div(numerator!.Value, y);
            }
            case Op.Pow:
            {
                // d(aᵇ) = b·a^(b-1)·da + aᵇ·log(a)·db
                int exponent = node.Input(1);
                int? left = da is int a3 ? b.Mul(a3, b.Mul(exponent, b.Binary(Op.Pow, x, b.Sub(exponent, One())))) : null;
                int? right = dx[1] is int db2 ? b.Mul(db2, b.Mul(id, b.Unary(Op.Log, x))) : null;
                return Sum(b, left, right);
            }
            case Op.Neg: return b.Neg(da!.Value);
            case Op.Exp: return b.Mul(da!.Value, id);
            case Op.Expm1: return b.Mul(da!.Value, b.Add(id, One()));
            case Op.Log: return b.Div(da!.Value, x);
            case Op.Log1p: return b.Div(da!.Value, b.Add(One(), x));
            case Op.Sin: return b.Mul(da!.Value, b.Unary(Op.Cos, x));
            case Op.Cos: return b.Neg(b.Mul(da!.Value, b.Unary(Op.Sin, x)));
            case Op.Tan: return b.Mul(da!.Value, b.Add(One(), b.Mul(id, id)));
            case Op.Tanh: return b.Mul(da!.Value, b.Sub(One(), b.Mul(id, id)));
            case Op.Sqrt: return b.Div(da!.Value, b.Mul(b.Scalar(2), id));
            case Op.Atan: return b.Div(da!.Value, b.Add(One(), b.Mul(x, x)));
            case Op.Abs: return b.Mul(da!.Value, b.Unary(Op.Sign, x));
            case Op.Relu: return b.Mul(da!.Value, b.Unary(Op.Step, x));
            case Op.Sigmoid: return b.Mul(da!.Value, b.Mul(id, b.Sub(One(), id)));
            case Op.Sign or Op.Step: return null;
            default: throw new InvalidOperationException($"no JVP rule for {node.Op}");
        }
    }

    private static int? Sum(ProgramBuilder b, int? x, int? y) =>
        x is int a ? (y is int c ? b.Add(a, c) : a) : y;

    private static void ElementwiseTranspose(TransposeContext context, int id, int ct)
    {
        var b = context.Builder;
        var node = b[id];
        int x = node.Input(0);
        switch (node.Op)
        {
            case Op.Add:
                context.Contribute(x, ct);
                context.Contribute(node.Input(1), ct);
                break;
            case Op.Sub:
                context.Contribute(x, ct);
                if (context.IsLinear(node.Input(1)))
                    context.Contribute(node.Input(1), b.Neg(ct));
                break;
            case Op.Neg:
                context.Contribute(x, b.Neg(ct));
                break;
            case Op.Mul:
            {
                // Exactly one operand is linear (JVP rules only multiply tangents by primal values).
                int y = node.Input(1);
                if (context.IsLinear(x))
                    context.Contribute(x, b.Mul(ct, y));
                else
                    context.Contribute(y, b.Mul(x, ct));
                break;
            }
            case Op.Div:
                context.Contribute(x, b.Div(ct, node.Input(1)));
                break;
            default:
                throw new InvalidOperationException($"{node.Op} is not linear");
        }
    }

    /// <summary>Double-precision semantics of each elementwise op (constant folding; matches Ops).</summary>
    public static double Evaluate(Op op, double a, double b) => op switch
    {
        Op.Add => a + b,
        Op.Sub => a - b,
        Op.Mul => a * b,
        Op.Div => a / b,
        Op.Pow => Math.Pow(a, b),
        Op.Neg => -a,
        Op.Exp => Math.Exp(a),
        Op.Expm1 => Expm1(a),
        Op.Log => Math.Log(a),
        Op.Log1p => Log1p(a),
        Op.Sin => Math.Sin(a),
        Op.Cos => Math.Cos(a),
        Op.Tan => Math.Tan(a),
        Op.Tanh => Math.Tanh(a),
        Op.Sqrt => Math.Sqrt(a),
        Op.Atan => Math.Atan(a),
        Op.Abs => Math.Abs(a),
        Op.Sign => Math.Sign(a),
        Op.Relu => a > 0 ? a : 0,
        Op.Step => a > 0 ? 1 : 0,
        Op.Sigmoid => 1 / (1 + Math.Exp(-a)),
        _ => throw new InvalidOperationException($"{op} is not elementwise"),
    };

    // Kahan's accurate e^x − 1, as Ops.Expm1.
    private static double Expm1(double x)
    {
        double u = Math.Exp(x);
        double d = u - 1.0;
        return d == 0 ? x : double.IsPositiveInfinity(u) || d == -1.0 ? d : d * (x / Math.Log(u));
    }

    // Kahan's accurate log(1 + x), as Ops.Log1p (netstandard2.0 has no log1p).
    private static double Log1p(double x)
    {
        double w = 1.0 + x;
        double d = w - 1.0;
        return d == 0 || double.IsPositiveInfinity(x) ? x : Math.Log(w) * (x / d);
    }
}
