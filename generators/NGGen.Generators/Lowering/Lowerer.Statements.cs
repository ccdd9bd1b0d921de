using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NGGen.Generators.Diagnostics;

namespace NGGen.Generators;

internal sealed partial class Lowerer
{
    /// <summary>Lowers a statement; returns the value of a 'return' reached inside it, or null.</summary>
    private Value? LowerStatement(StatementSyntax statement, Dictionary<ISymbol, Value> env)
    {
        cancellationToken.ThrowIfCancellationRequested();
        switch (statement)
        {
            case BlockSyntax block:
                foreach (var s in block.Statements)
                    if (LowerStatement(s, env) is { } returned)
                        return returned;
                return null;
            case LocalDeclarationStatementSyntax local:
                LowerLocalDeclaration(local, env);
                return null;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                LowerAssignment(assignment, env);
                return null;
            case ExpressionStatementSyntax { Expression: PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax } step:
                LowerIntegerStep(step.Expression, env);
                return null;
            case ReturnStatementSyntax { Expression: { } expression }:
                return LowerExpression(expression, env);
            case ForStatementSyntax loop:
                return LowerFor(loop, env);
            case IfStatementSyntax branch:
                return LowerIf(branch, env);
            case EmptyStatementSyntax:
                return null;
            case LocalFunctionStatementSyntax:
                throw Error(DiagnosticIds.Lambda, statement);
            case WhileStatementSyntax:
                throw Error(DiagnosticIds.UnsupportedStatement, statement.GetFirstToken(), "while", "use a for loop with compile-time bounds");
            case DoStatementSyntax:
                throw Error(DiagnosticIds.UnsupportedStatement, statement.GetFirstToken(), "do-while", "use a for loop with compile-time bounds");
            case ForEachStatementSyntax:
                throw Error(DiagnosticIds.UnsupportedStatement, statement.GetFirstToken(), "foreach", "use a for loop over a constant range of indices");
            case TryStatementSyntax:
                throw Error(DiagnosticIds.UnsupportedStatement, statement.GetFirstToken(), "try", "model code cannot throw or catch; validate inputs before calling the model");
            case ThrowStatementSyntax:
                throw Error(DiagnosticIds.UnsupportedStatement, statement.GetFirstToken(), "throw", "model code cannot throw; validate inputs before calling the model");
            case SwitchStatementSyntax:
                throw Error(DiagnosticIds.UnsupportedStatement, statement.GetFirstToken(), "switch", "branch-free code only: use Relu, Abs or Sigmoid for piecewise behaviour");
            case UsingStatementSyntax or LockStatementSyntax or FixedStatementSyntax or UnsafeStatementSyntax or CheckedStatementSyntax:
                throw Error(DiagnosticIds.UnsupportedStatement, statement.GetFirstToken(), statement.GetFirstToken().Text, "write plain arithmetic on locals");
            case GotoStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or YieldStatementSyntax or LabeledStatementSyntax:
                throw Error(DiagnosticIds.UnsupportedStatement, statement.GetFirstToken(), statement.GetFirstToken().Text, "loops run their full compile-time range; remove the jump");
            default:
                throw Error(DiagnosticIds.UnsupportedStatement, statement, statement.Kind().ToString(), "write locals, assignments, for loops and a return");
        }
    }

    private void LowerLocalDeclaration(LocalDeclarationStatementSyntax local, Dictionary<ISymbol, Value> env)
    {
        if (local.Declaration.Type is RefTypeSyntax || local.UsingKeyword != default)
            throw Error(DiagnosticIds.RefLocal, local, local.ToString().Trim());
        var model = ModelFor(local);
        foreach (var variable in local.Declaration.Variables)
        {
            var symbol = model.GetDeclaredSymbol(variable, cancellationToken)!;
            if (variable.Initializer is null)
                throw Error(DiagnosticIds.UnsupportedStatement, variable, "uninitialised local", $"initialise it: 'var {variable.Identifier.Text} = ...;'");
            if (variable.Initializer.Value is RefExpressionSyntax)
                throw Error(DiagnosticIds.RefLocal, variable, variable.ToString());
            // Lower first: a lambda or string initializer has a more specific diagnostic than its type.
            var value = LowerExpression(variable.Initializer.Value, env);
            CheckLocalType(symbol, variable);
            env[symbol] = value;
        }
    }

    private static void CheckLocalType(ISymbol symbol, SyntaxNode at)
    {
        if (symbol is not ILocalSymbol local)
            return;
        if (local.IsRef)
            throw Error(DiagnosticIds.RefLocal, at, at.ToString());
        if (local.Type.SpecialType == SpecialType.System_String)
            throw Error(DiagnosticIds.StringUse, at, at.ToString());
        bool ok = local.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Double or SpecialType.System_Single
            || ModelGenerator.Parser.KindOf(local.Type) is not null;
        if (!ok)
            throw Error(DiagnosticIds.UnsupportedType, at, $"Local '{local.Name}'", local.Type.ToDisplayString());
    }

    private void LowerAssignment(AssignmentExpressionSyntax assignment, Dictionary<ISymbol, Value> env)
    {
        var model = ModelFor(assignment);
        var target = model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol;
        if (target is not ILocalSymbol || !env.ContainsKey(target))
            throw Error(DiagnosticIds.UnsupportedAssignment, assignment, assignment.ToString());
        var right = LowerExpression(assignment.Right, env);
        env[target] = assignment.Kind() switch
        {
            SyntaxKind.SimpleAssignmentExpression => right,
            SyntaxKind.AddAssignmentExpression => Arithmetic(SyntaxKind.AddExpression, env[target], right, assignment),
            SyntaxKind.SubtractAssignmentExpression => Arithmetic(SyntaxKind.SubtractExpression, env[target], right, assignment),
            SyntaxKind.MultiplyAssignmentExpression => Arithmetic(SyntaxKind.MultiplyExpression, env[target], right, assignment),
            SyntaxKind.DivideAssignmentExpression => Arithmetic(SyntaxKind.DivideExpression, env[target], right, assignment),
            _ => throw Error(DiagnosticIds.UnsupportedAssignment, assignment, assignment.ToString()),
        };
    }

    private void LowerIntegerStep(ExpressionSyntax step, Dictionary<ISymbol, Value> env)
    {
        var (operand, increment) = step switch
        {
            PostfixUnaryExpressionSyntax p => (p.Operand, p.IsKind(SyntaxKind.PostIncrementExpression) ? 1 : -1),
            PrefixUnaryExpressionSyntax p => (p.Operand, p.IsKind(SyntaxKind.PreIncrementExpression) ? 1 : -1),
            _ => throw Error(DiagnosticIds.UnsupportedExpression, step, step.ToString(), "use i++ or i += c"),
        };
        var symbol = ModelFor(step).GetSymbolInfo(operand, cancellationToken).Symbol;
        if (symbol is null || !env.TryGetValue(symbol, out var current) || !current.IsInt)
            throw Error(DiagnosticIds.UnsupportedExpression, step, step.ToString(), "only integer loop counters may be incremented");
        env[symbol] = Value.Int(current.Integer + increment);
    }

    private Value? LowerFor(ForStatementSyntax loop, Dictionary<ISymbol, Value> env)
    {
        var model = ModelFor(loop);
        if (loop.Declaration is not { Variables.Count: 1 } declaration || declaration.Variables[0].Initializer is null || loop.Condition is null)
            throw Error(DiagnosticIds.NonConstantLoopBound, loop.GetFirstToken(), Header(loop));
        var counter = model.GetDeclaredSymbol(declaration.Variables[0], cancellationToken)!;
        var start = LowerExpression(declaration.Variables[0].Initializer!.Value, env);
        if (!start.IsInt)
            throw Error(DiagnosticIds.NonConstantLoopBound, loop.GetFirstToken(), Header(loop));
        env[counter] = start;
        Value? returned = null;
        while (true)
        {
            var condition = TryConstantCondition(loop.Condition, env)
                ?? throw Error(DiagnosticIds.NonConstantLoopBound, loop.GetFirstToken(), Header(loop));
            if (!condition)
                break;
            if (++_unrolled > MaxUnrolledIterations)
                throw Error(DiagnosticIds.NonConstantLoopBound, loop.GetFirstToken(), Header(loop) + $" (more than {MaxUnrolledIterations} unrolled iterations)");
            returned = LowerStatement(loop.Statement, env);
            if (returned is not null)
                break;
            foreach (var incrementor in loop.Incrementors)
            {
                if (incrementor is AssignmentExpressionSyntax assignment)
                {
                    var right = LowerExpression(assignment.Right, env);
                    if (!right.IsInt || !env[counter].IsInt)
                        throw Error(DiagnosticIds.NonConstantLoopBound, loop.GetFirstToken(), Header(loop));
                    int value = env[counter].Integer;
                    env[counter] = Value.Int(assignment.Kind() switch
                    {
                        SyntaxKind.AddAssignmentExpression => value + right.Integer,
                        SyntaxKind.SubtractAssignmentExpression => value - right.Integer,
                        SyntaxKind.SimpleAssignmentExpression => right.Integer,
                        _ => throw Error(DiagnosticIds.NonConstantLoopBound, loop.GetFirstToken(), Header(loop)),
                    });
                }
                else
                {
                    LowerIntegerStep(incrementor, env);
                }
            }
        }
        env.Remove(counter);
        return returned;
    }

    private static string Header(ForStatementSyntax loop) =>
        $"for ({loop.Declaration}; {loop.Condition}; {string.Join(", ", loop.Incrementors)})";

    private Value? LowerIf(IfStatementSyntax branch, Dictionary<ISymbol, Value> env)
    {
        bool condition = TryConstantCondition(branch.Condition, env)
            ?? throw Error(DiagnosticIds.RuntimeCondition, branch.Condition, branch.Condition.ToString());
        if (condition)
            return LowerStatement(branch.Statement, env);
        return branch.Else is { } otherwise ? LowerStatement(otherwise.Statement, env) : null;
    }

    /// <summary>Evaluates a condition made of compile-time integers, or returns null.</summary>
    private bool? TryConstantCondition(ExpressionSyntax condition, Dictionary<ISymbol, Value> env)
    {
        var constant = ModelFor(condition).GetConstantValue(condition, cancellationToken);
        if (constant.HasValue && constant.Value is bool b)
            return b;
        switch (condition)
        {
            case ParenthesizedExpressionSyntax p:
                return TryConstantCondition(p.Expression, env);
            case PrefixUnaryExpressionSyntax negation when negation.IsKind(SyntaxKind.LogicalNotExpression):
                return !TryConstantCondition(negation.Operand, env);
            case BinaryExpressionSyntax logical when logical.IsKind(SyntaxKind.LogicalAndExpression) || logical.IsKind(SyntaxKind.LogicalOrExpression):
            {
                var left = TryConstantCondition(logical.Left, env);
                var right = TryConstantCondition(logical.Right, env);
                if (left is null || right is null)
                    return null;
                return logical.IsKind(SyntaxKind.LogicalAndExpression) ? left.Value && right.Value : left.Value || right.Value;
            }
            case BinaryExpressionSyntax comparison:
            {
                Value left, right;
                try
                {
                    left = LowerExpression(comparison.Left, env);
                    right = LowerExpression(comparison.Right, env);
                }
                catch (LoweringException)
                {
                    return null;
                }
                if (!left.IsInt || !right.IsInt)
                    return null;
                int l = left.Integer, r = right.Integer;
                return comparison.Kind() switch
                {
                    SyntaxKind.LessThanExpression => l < r,
                    SyntaxKind.LessThanOrEqualExpression => l <= r,
                    SyntaxKind.GreaterThanExpression => l > r,
                    SyntaxKind.GreaterThanOrEqualExpression => l >= r,
                    SyntaxKind.EqualsExpression => l == r,
                    SyntaxKind.NotEqualsExpression => l != r,
                    _ => null,
                };
            }
            default:
                return null;
        }
    }
}
