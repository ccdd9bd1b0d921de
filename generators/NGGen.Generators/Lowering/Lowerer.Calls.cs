using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NGGen.Generators.Diagnostics;
using NGGen.Generators.Ir;

namespace NGGen.Generators;

internal sealed partial class Lowerer
{
    private static readonly Dictionary<string, Op> s_unary = new()
    {
        ["Exp"] = Op.Exp, ["Expm1"] = Op.Expm1, ["Log"] = Op.Log, ["Log1p"] = Op.Log1p, ["Sin"] = Op.Sin, ["Cos"] = Op.Cos, ["Tan"] = Op.Tan, ["Tanh"] = Op.Tanh,
        ["Sqrt"] = Op.Sqrt, ["Atan"] = Op.Atan, ["Abs"] = Op.Abs, ["Sigmoid"] = Op.Sigmoid, ["Relu"] = Op.Relu,
    };

    private static readonly HashSet<string> s_mathFunctions = ["Exp", "Log", "Sin", "Cos", "Tan", "Tanh", "Sqrt", "Atan", "Abs", "Pow"];

    private Value LowerInvocation(InvocationExpressionSyntax invocation, Dictionary<ISymbol, Value> env)
    {
        var info = ModelFor(invocation).GetSymbolInfo(invocation, cancellationToken);
        if ((info.Symbol ?? info.CandidateSymbols.FirstOrDefault()) is not IMethodSymbol method)
            throw Error(DiagnosticIds.UnknownMethod, invocation, invocation.Expression.ToString());
        string container = method.ContainingType?.ToDisplayString() ?? "";
        var args = invocation.ArgumentList.Arguments;
        if (args.Any(a => a.RefKindKeyword != default))
            throw Error(DiagnosticIds.RefLocal, invocation, invocation.ToString());

        if (container == "NGGen.Ops" && method.Name is "Grad" or "Jacobian" or "Laplacian" or "Derivative")
            return LowerDifferential(method.Name, invocation, env);

        switch (container)
        {
            case "NGGen.Ops":
                return LowerOps(method.Name, invocation, env);
            case "System.Math" or "System.MathF":
                if (!s_mathFunctions.Contains(method.Name))
                    throw Error(DiagnosticIds.UnsupportedMathFunction, invocation, method.Name);
                return LowerOps(method.Name, invocation, env);
            case "NGGen.Vec" when method.Name == "Of":
                return Value.Node(At(invocation, () => Builder.Concat(args.Select(a => AsNode(LowerExpression(a.Expression, env), a)).ToArray())));
        }

        if (SymbolEqualityComparer.Default.Equals(method.ContainingType, modelType))
            return Value.Node(InlineCall(method, invocation, args.Select(a => LowerExpression(a.Expression, env)).ToList()));

        throw Error(DiagnosticIds.UnknownMethod, invocation, method.ContainingType is null ? method.Name : $"{method.ContainingType.Name}.{method.Name}");
    }

    private int InlineCall(IMethodSymbol method, SyntaxNode at, List<Value> arguments)
    {
        if (method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration)
            throw Error(DiagnosticIds.UnknownMethod, at, method.Name);
        if (method.Parameters.Length != arguments.Count)
            throw Error(DiagnosticIds.UnsupportedExpression, at, at.ToString(), "pass every argument explicitly (no optional or params arguments)");
        if (_callStack.Contains(method))
            throw Error(DiagnosticIds.Recursion, at, method.Name);
        var env = new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default);
        for (int i = 0; i < arguments.Count; i++)
        {
            var p = method.Parameters[i];
            if (p.RefKind != RefKind.None)
                throw Error(DiagnosticIds.RefLocal, at, p.ToDisplayString());
            if (p.Type.SpecialType != SpecialType.System_Int32 && ModelGenerator.Parser.KindOf(p.Type) is null)
                throw Error(DiagnosticIds.UnsupportedType, at, $"Parameter '{p.Name}' of '{method.Name}'", p.Type.ToDisplayString());
            env[p] = arguments[i];
        }
        return LowerBody(method, declaration, env);
    }

    private Value LowerOps(string name, InvocationExpressionSyntax invocation, Dictionary<ISymbol, Value> env)
    {
        var args = invocation.ArgumentList.Arguments.Select(a => LowerExpression(a.Expression, env)).ToList();
        int Arg(int i) => AsNode(args[i], invocation);
        var b = Builder;
        return Value.Node(At(invocation, () =>
        {
            if (s_unary.TryGetValue(name, out var op) && args.Count == 1)
                return b.Unary(op, Arg(0));
            switch (name)
            {
                case "Pow" when args.Count == 2:
                    // Integer powers are products: exact, cheap and defined for negative bases.
                    if (args[1].IsInt && args[1].Integer is >= 1 and <= 4)
                    {
                        int x = Arg(0), result = x;
                        for (int k = 1; k < args[1].Integer; k++)
                            result = b.Mul(result, x);
                        return result;
                    }
                    return b.Binary(Op.Pow, Arg(0), Arg(1));
                case "Softplus" when args.Count == 1:
                {
                    // max(x, 0) + log1p(e^(-|x|)), as in Ops.Softplus (log1p keeps e^x's digits far left of zero).
                    int x = Arg(0);
                    return b.Add(b.Unary(Op.Relu, x), b.Unary(Op.Log1p, b.Unary(Op.Exp, b.Neg(b.Unary(Op.Abs, x)))));
                }
                case "Gelu" when args.Count == 1:
                {
                    // x/2 · (1 + tanh(√(2/π)(x + 0.044715 x³))), as in Ops.Gelu.
                    int x = Arg(0);
                    int cubic = b.Mul(b.Scalar(0.044715), b.Mul(x, b.Mul(x, x)));
                    int inner = b.Mul(b.Scalar(0.79788456080286535588), b.Add(x, cubic));
                    return b.Mul(b.Mul(b.Scalar(0.5), x), b.Add(b.Scalar(1), b.Unary(Op.Tanh, inner)));
                }
                case "Dot" when args.Count == 2:
                    return b.MatMul(Arg(0), Arg(1), true, false);
                case "Sum" when args.Count == 1:
                    return b.SumFeatures(Arg(0));
                case "Transpose" when args.Count == 1:
                    return b.Transpose(Arg(0));
                case "Outer" when args.Count == 2:
                    return b.MatMul(Arg(0), Arg(1), false, true);
                case "Concat" or "Vector":
                    return b.Concat(args.Select((_, i) => Arg(i)).ToArray());
                default:
                    throw new ModelErrorException(DiagnosticIds.UnknownMethod, "Ops." + name);
            }
        }));
    }

    /// <summary>Grad, Jacobian, Laplacian and Derivative of a model method, by forward mode over the IR
    /// (seeds e_i; nested once more for the Laplacian).</summary>
    private Value LowerDifferential(string name, InvocationExpressionSyntax invocation, Dictionary<ISymbol, Value> env)
    {
        var args = invocation.ArgumentList.Arguments;
        if (args.Count != 2)
            throw Error(DiagnosticIds.DifferentialOperatorTarget, invocation, invocation.ToString(), name);
        var target = LowerExpression(args[0].Expression, env);
        if (target.Method is not { } method || !SymbolEqualityComparer.Default.Equals(method.ContainingType, modelType) || method.Parameters.Length != 1)
            throw Error(DiagnosticIds.DifferentialOperatorTarget, args[0], args[0].ToString(), name);
        int x = AsNode(LowerExpression(args[1].Expression, env), args[1]);
        var b = Builder;
        if (b.IsConst(x))
            throw Error(DiagnosticIds.DifferentialOperatorTarget, args[1], args[1].ToString() + " is a constant point; differentiate at an input-dependent value", name);
        int output = InlineCall(method, invocation, [Value.Node(x)]);
        var inputShape = b[x].Shape;
        var outputShape = b[output].Shape;
        int d = inputShape.Size;

        var firstDerivatives = new int[d];
        var secondDerivatives = new int[d];
        for (int i = 0; i < d; i++)
        {
            var seedValues = new double[d];
            seedValues[i] = 1;
            int seed = b.Const(inputShape, seedValues);
            var first = Transforms.Jvp(b, new Dictionary<int, int> { [x] = seed });
            firstDerivatives[i] = first.TryGetValue(output, out int t) ? t : b.Zeros(outputShape);
            if (name == "Laplacian")
            {
                var second = Transforms.Jvp(b, new Dictionary<int, int> { [x] = seed });
                secondDerivatives[i] = second.TryGetValue(firstDerivatives[i], out int s) ? s : b.Zeros(outputShape);
            }
        }

        return Value.Node(At(invocation, () =>
        {
            switch (name)
            {
                case "Derivative":
                    if (inputShape.Rank != 0)
                        throw new ModelErrorException(DiagnosticIds.ShapeMismatch, "Derivative", "Derivative takes a scalar input; use Grad or Jacobian for vectors");
                    return firstDerivatives[0];
                case "Grad":
                    if (outputShape.Size != 1)
                        throw new ModelErrorException(DiagnosticIds.ShapeMismatch, "Grad", $"Grad needs a scalar-valued method, got {outputShape}; use Jacobian");
                    return inputShape.Rank == 0 ? firstDerivatives[0] : b.Concat(firstDerivatives);
                case "Jacobian":
                {
                    int m = outputShape.Size;
                    int columns = b.Concat(firstDerivatives.Select(c => b[c].Shape.Rank == 0 ? c : b.Gather(c, Enumerable.Range(0, m).ToArray(), Shape.Vector(m))).ToArray());
                    var indices = new int[m * d];
                    for (int r = 0; r < m; r++)
                        for (int c = 0; c < d; c++)
                            indices[r * d + c] = c * m + r;
                    return b.Gather(columns, indices, Shape.Matrix(m, d));
                }
                default:
                {
                    int sum = secondDerivatives[0];
                    for (int i = 1; i < d; i++)
                        sum = b.Add(sum, secondDerivatives[i]);
                    return sum;
                }
            }
        }));
    }
}
