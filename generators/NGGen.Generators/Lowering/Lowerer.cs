using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NGGen.Generators.Diagnostics;
using NGGen.Generators.Ir;

namespace NGGen.Generators;

/// <summary>Lowers one function (and everything it calls, inlined) into a <see cref="ProgramBuilder"/>.</summary>
internal sealed partial class Lowerer(Compilation compilation, INamedTypeSymbol modelType, List<ParamSpec> parameters, CancellationToken cancellationToken)
{
    private const int MaxUnrolledIterations = 100_000;
    private readonly HashSet<IMethodSymbol> _callStack = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<SyntaxTree, SemanticModel> _semanticModels = [];
    private int _unrolled;

    public ProgramBuilder Builder { get; } = new();

    public int ParamNode(ParamSpec spec)
    {
        var shape = spec.Kind switch
        {
            ValueKind.Scalar => Shape.Scalar,
            ValueKind.Vec => Shape.Vector(spec.Rows),
            _ => Shape.Matrix(spec.Rows, spec.Cols),
        };
        return Builder.Param(spec.Offset, shape, spec.Name);
    }

    private SemanticModel ModelFor(SyntaxNode node)
    {
        if (!_semanticModels.TryGetValue(node.SyntaxTree, out var model))
            _semanticModels[node.SyntaxTree] = model = compilation.GetSemanticModel(node.SyntaxTree);
        return model;
    }

    /// <summary>Lowers a method body with its parameters bound in <paramref name="environment"/>; returns the result node.</summary>
    public int LowerBody(IMethodSymbol method, MethodDeclarationSyntax declaration, Dictionary<ISymbol, Value> environment)
    {
        if (!_callStack.Add(method))
            throw Error(DiagnosticIds.Recursion, declaration.Identifier, method.Name);
        try
        {
            Value? result;
            if (declaration.ExpressionBody is { } arrow)
                result = LowerExpression(arrow.Expression, environment);
            else if (declaration.Body is { } body)
                result = LowerStatement(body, environment);
            else
                throw Error(DiagnosticIds.UnsupportedStatement, declaration.Identifier, "extern or abstract method", "give the method a body");
            if (result is not { } value)
                throw Error(DiagnosticIds.UnsupportedStatement, declaration.Identifier, "missing return", "end the method with 'return <value>;'");
            return AsNode(value, declaration);
        }
        finally
        {
            _callStack.Remove(method);
        }
    }

    private int AsNode(Value value, SyntaxNode at)
    {
        if (value.IsInt)
            return Builder.Scalar(value.Integer);
        if (value.Method is not null)
            throw Error(DiagnosticIds.UnsupportedExpression, at, at.ToString(), "a method name can only be the first argument of Grad, Jacobian, Laplacian or Derivative");
        return value.NodeId;
    }

    private static LoweringException Error(string id, SyntaxNode at, params object[] arguments) =>
        new(DiagnosticInfo.Create(id, at, arguments));

    private static LoweringException Error(string id, SyntaxToken at, params object[] arguments) =>
        new(DiagnosticInfo.Create(id, at.GetLocation(), arguments));

    /// <summary>Runs a builder call, attaching shape errors to <paramref name="at"/>.</summary>
    private static T At<T>(SyntaxNode at, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (ModelErrorException e)
        {
            throw new LoweringException(DiagnosticInfo.Create(e.DiagnosticId, at, e.Arguments));
        }
    }
}
