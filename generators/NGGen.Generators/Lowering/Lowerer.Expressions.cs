using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NGGen.Generators.Diagnostics;
using NGGen.Generators.Ir;

namespace NGGen.Generators;

internal sealed partial class Lowerer
{
    private Value LowerExpression(ExpressionSyntax expression, Dictionary<ISymbol, Value> env)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var model = ModelFor(expression);

        // Roslyn folds every compile-time constant (literals, const fields, Math.PI, 2 * PI, ...).
        if (expression is not LambdaExpressionSyntax)
        {
            var constant = model.GetConstantValue(expression, cancellationToken);
            if (constant.HasValue)
            {
                switch (constant.Value)
                {
                    case int i: return Value.Int(i);
                    case double d: return Value.Node(Builder.Scalar(d));
                    case float f: return Value.Node(Builder.Scalar(f));
                    case long l when l is >= int.MinValue and <= int.MaxValue: return Value.Int((int)l);
                    case string: throw Error(DiagnosticIds.StringUse, expression, expression.ToString());
                }
            }
        }

        switch (expression)
        {
            case ParenthesizedExpressionSyntax p:
                return LowerExpression(p.Expression, env);
            case IdentifierNameSyntax identifier:
                return LowerIdentifier(identifier, env);
            case BinaryExpressionSyntax binary when IsArithmetic(binary.Kind()):
                return Arithmetic(binary.Kind(), LowerExpression(binary.Left, env), LowerExpression(binary.Right, env), binary);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression):
            {
                var operand = LowerExpression(unary.Operand, env);
                return operand.IsInt ? Value.Int(-operand.Integer) : Value.Node(Builder.Neg(AsNode(operand, unary)));
            }
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryPlusExpression):
                return LowerExpression(unary.Operand, env);
            case CastExpressionSyntax cast:
            {
                var operand = LowerExpression(cast.Expression, env);
                var target = model.GetTypeInfo(cast.Type, cancellationToken).Type;
                if (target?.SpecialType is SpecialType.System_Double or SpecialType.System_Single)
                    return operand.IsInt ? Value.Node(Builder.Scalar(operand.Integer)) : operand;
                if (target?.SpecialType == SpecialType.System_Int32 && operand.IsInt)
                    return operand;
                throw Error(DiagnosticIds.UnsupportedExpression, cast, cast.ToString(), "only casts between double and float are supported");
            }
            case InvocationExpressionSyntax invocation:
                return LowerInvocation(invocation, env);
            case ElementAccessExpressionSyntax access:
                return LowerElementAccess(access, env);
            case MemberAccessExpressionSyntax member:
                return LowerMemberAccess(member, env);
            case LambdaExpressionSyntax or AnonymousMethodExpressionSyntax:
                throw Error(DiagnosticIds.Lambda, expression);
            case InterpolatedStringExpressionSyntax or LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression }:
                throw Error(DiagnosticIds.StringUse, expression, expression.ToString());
            case ConditionalExpressionSyntax conditional:
                return TryConstantCondition(conditional.Condition, env) is bool chosen
                    ? LowerExpression(chosen ? conditional.WhenTrue : conditional.WhenFalse, env)
                    : throw Error(DiagnosticIds.RuntimeCondition, conditional, conditional.Condition.ToString());
            case RefExpressionSyntax:
                throw Error(DiagnosticIds.RefLocal, expression, expression.ToString());
            case ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or ArrayCreationExpressionSyntax:
                throw Error(DiagnosticIds.DynamicShape, expression,
                    $"'{expression}' allocates at run time; build vectors with Vec.Of(a, b, ...), Ops.Vector(...) or Ops.Concat(...)");
            case AssignmentExpressionSyntax:
                throw Error(DiagnosticIds.UnsupportedAssignment, expression, expression.ToString());
            default:
                throw Error(DiagnosticIds.UnsupportedExpression, expression, expression.ToString(),
                    "use arithmetic, Ops/Math functions, indexing, locals and calls to model methods");
        }
    }

    private static bool IsArithmetic(SyntaxKind kind) => kind is SyntaxKind.AddExpression or SyntaxKind.SubtractExpression
        or SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression or SyntaxKind.ModuloExpression;

    private Value LowerIdentifier(IdentifierNameSyntax identifier, Dictionary<ISymbol, Value> env)
    {
        var symbol = ModelFor(identifier).GetSymbolInfo(identifier, cancellationToken);
        var resolved = symbol.Symbol ?? symbol.CandidateSymbols.FirstOrDefault();
        switch (resolved)
        {
            case ILocalSymbol or IParameterSymbol when env.TryGetValue(resolved, out var value):
                return value;
            case IFieldSymbol field when parameters.FirstOrDefault(p => p.IsField && p.Name == field.Name) is { } param
                && SymbolEqualityComparer.Default.Equals(field.ContainingType, modelType):
                return Value.Node(ParamNode(param));
            case IFieldSymbol or IPropertySymbol:
                throw Error(DiagnosticIds.UnsupportedExpression, identifier, identifier.ToString(),
                    "only [Param] fields and constants can be read; make it a const or a [Param]");
            case IMethodSymbol method:
                return Value.MethodGroup(method);
            case ILocalSymbol local when local.Type.SpecialType == SpecialType.System_String:
                throw Error(DiagnosticIds.StringUse, identifier, identifier.ToString());
            default:
                throw Error(DiagnosticIds.UnsupportedExpression, identifier, identifier.ToString(), "it is not a local, an input, a [Param] or a constant");
        }
    }

    private Value Arithmetic(SyntaxKind kind, Value left, Value right, SyntaxNode at)
    {
        if (left.IsInt && right.IsInt)
        {
            int l = left.Integer, r = right.Integer;
            return Value.Int(kind switch
            {
                SyntaxKind.AddExpression => l + r,
                SyntaxKind.SubtractExpression => l - r,
                SyntaxKind.MultiplyExpression => l * r,
                SyntaxKind.DivideExpression when r != 0 => l / r,
                SyntaxKind.ModuloExpression when r != 0 => l % r,
                _ => throw Error(DiagnosticIds.UnsupportedExpression, at, at.ToString(), "integer division by zero"),
            });
        }
        int a = AsNode(left, at), b = AsNode(right, at);
        return Value.Node(At(at, () => kind switch
        {
            SyntaxKind.AddExpression => Builder.Add(a, b),
            SyntaxKind.SubtractExpression => Builder.Sub(a, b),
            // Mat * Vec and Mat * Mat are products; everything else is elementwise.
            SyntaxKind.MultiplyExpression when Builder[a].Shape.Rank == 2 && Builder[b].Shape.Rank >= 1 => Builder.MatMul(a, b, false, false),
            SyntaxKind.MultiplyExpression => Builder.Mul(a, b),
            SyntaxKind.DivideExpression => Builder.Div(a, b),
            _ => throw new ModelErrorException(DiagnosticIds.UnsupportedExpression, at.ToString(), "'%' is only supported on integers"),
        }));
    }

    private Value LowerElementAccess(ElementAccessExpressionSyntax access, Dictionary<ISymbol, Value> env)
    {
        int target = AsNode(LowerExpression(access.Expression, env), access);
        var shape = Builder[target].Shape;
        var args = access.ArgumentList.Arguments;
        if (args.Count == 1 && args[0].Expression is RangeExpressionSyntax range)
        {
            int start = range.LeftOperand is null ? 0 : Index(range.LeftOperand, shape.Size);
            int end = range.RightOperand is null ? shape.Size : Index(range.RightOperand, shape.Size);
            // An empty slice has no values to differentiate; it is always a mistake in a model.
            if (shape.Rank != 1 || end <= start)
                throw Error(DiagnosticIds.IndexOutOfRange, access, $"{start}..{end}", shape.ToString());
            return Value.Node(At(access, () => Builder.Slice(target, start, end - start)));
        }
        if (args.Count == 1 && shape.Rank == 1)
            return Value.Node(At(access, () => Builder.Element(target, Index(args[0].Expression, shape.Size))));
        if (args.Count == 2 && shape.Rank == 2)
        {
            int row = Index(args[0].Expression, shape.Rows), col = Index(args[1].Expression, shape.Cols);
            if (row >= shape.Rows || col >= shape.Cols)
                throw Error(DiagnosticIds.IndexOutOfRange, access, $"({row}, {col})", shape.ToString());
            return Value.Node(At(access, () => Builder.Element(target, row * shape.Cols + col)));
        }
        throw Error(DiagnosticIds.UnsupportedExpression, access, access.ToString(), "index a Vec with x[i] or x[a..b] and a Mat with m[i, j]");

        int Index(ExpressionSyntax e, int length)
        {
            bool fromEnd = e is PrefixUnaryExpressionSyntax hat && hat.IsKind(SyntaxKind.IndexExpression);
            var inner = fromEnd ? ((PrefixUnaryExpressionSyntax)e).Operand : e;
            var value = LowerExpression(inner, env);
            if (!value.IsInt)
                throw Error(DiagnosticIds.NonConstantIndex, access, access.ToString());
            int index = fromEnd ? length - value.Integer : value.Integer;
            if (index < 0 || index > length)
                throw Error(DiagnosticIds.IndexOutOfRange, access, index, Builder[target].Shape.ToString());
            return index;
        }
    }

    private Value LowerMemberAccess(MemberAccessExpressionSyntax member, Dictionary<ISymbol, Value> env)
    {
        var symbol = ModelFor(member).GetSymbolInfo(member, cancellationToken).Symbol;
        if (symbol is IMethodSymbol method)
            return Value.MethodGroup(method);
        if (symbol is IPropertySymbol property && property.ContainingType.ToDisplayString() is "NGGen.Vec" or "NGGen.Mat")
        {
            int target = AsNode(LowerExpression(member.Expression, env), member);
            var shape = Builder[target].Shape;
            return property.Name switch
            {
                "T" => Value.Node(At(member, () => Builder.Transpose(target))),
                "Length" => Value.Int(shape.Size),
                "Rows" => Value.Int(shape.Rows),
                "Cols" => Value.Int(shape.Cols),
                _ => throw Error(DiagnosticIds.UnsupportedExpression, member, member.ToString(), "use T, Length, Rows or Cols"),
            };
        }
        if (symbol is IFieldSymbol field && field.ContainingType is not null && SymbolEqualityComparer.Default.Equals(field.ContainingType, modelType)
            && member.Expression is ThisExpressionSyntax && parameters.FirstOrDefault(p => p.IsField && p.Name == field.Name) is { } param)
            return Value.Node(ParamNode(param));
        throw Error(DiagnosticIds.UnsupportedExpression, member, member.ToString(), "only constants, [Param] fields and Vec/Mat properties can be read");
    }
}
