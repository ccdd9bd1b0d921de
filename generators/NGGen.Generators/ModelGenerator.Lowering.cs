using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NGGen.Generators.Diagnostics;
using NGGen.Generators.Helpers;
using NGGen.Generators.Ir;

namespace NGGen.Generators;

public sealed partial class ModelGenerator
{
    /// <summary>Lowering: a model method body (C# syntax + symbols) → SSA IR with static shapes.
    /// Calls are inlined, loops unrolled, compile-time integers folded.</summary>
    internal static partial class Lowering
    {
        public static FunctionSpec? LowerFunction(Compilation compilation, INamedTypeSymbol modelType, IMethodSymbol method,
            bool isResidual, List<ParamSpec> parameters, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            if (method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration)
                return null;

            // Vec inputs take their length from [Shape(n)] or from use (W * x); if neither decides, try
            // the dimensions of the declared parameters and keep the one assignment that type-checks.
            var unknown = new List<IParameterSymbol>();
            var lengths = new Dictionary<IParameterSymbol, int>(SymbolEqualityComparer.Default);
            foreach (var p in method.Parameters)
            {
                if (Parser.FindAttribute(p, ParamAttributeName) is not null || Parser.KindOf(p.Type) != ValueKind.Vec)
                    continue;
                if (InputLength(compilation, p, parameters, new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default)) is int length)
                    lengths[p] = length;
                else
                    unknown.Add(p);
            }
            if (unknown.Count == 0)
                return Report(TryLower(compilation, modelType, method, declaration, isResidual, parameters, lengths, cancellationToken), diagnostics);

            var candidates = parameters.SelectMany(q => new[] { q.Rows, q.Cols }).Where(d => d > 1).Distinct().OrderBy(d => d).ToList();
            (FunctionSpec? Spec, DiagnosticInfo? Error)? accepted = null;
            int acceptedCount = 0;
            DiagnosticInfo? firstOtherError = null;
            foreach (var assignment in Assignments(unknown.Count, candidates).Take(256))
            {
                var trial = new Dictionary<IParameterSymbol, int>(lengths, SymbolEqualityComparer.Default);
                for (int i = 0; i < unknown.Count; i++)
                    trial[unknown[i]] = assignment[i];
                var result = TryLower(compilation, modelType, method, declaration, isResidual, parameters, trial, cancellationToken);
                if (result.Error is null)
                {
                    accepted = result;
                    acceptedCount++;
                }
                else if (result.Error.Id is not (DiagnosticIds.ShapeMismatch or DiagnosticIds.IndexOutOfRange))
                {
                    firstOtherError ??= result.Error;
                }
            }
            if (acceptedCount == 1)
                return Report(accepted!.Value, diagnostics);
            if (firstOtherError is not null && acceptedCount == 0)
                return Report((null, firstOtherError), diagnostics);
            var first = unknown[0];
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticIds.DynamicShape, first.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken),
                $"The length of input '{first.Name}' cannot be inferred; write [Shape(n)] Vec {first.Name}"));
            return null;
        }

        private static IEnumerable<int[]> Assignments(int count, List<int> candidates)
        {
            if (count == 0)
            {
                yield return [];
                yield break;
            }
            foreach (var rest in Assignments(count - 1, candidates))
                foreach (int c in candidates)
                    yield return [.. rest, c];
        }

        private static FunctionSpec? Report((FunctionSpec? Spec, DiagnosticInfo? Error) result, List<DiagnosticInfo> diagnostics)
        {
            if (result.Error is not null)
                diagnostics.Add(result.Error);
            return result.Spec;
        }

        private static (FunctionSpec? Spec, DiagnosticInfo? Error) TryLower(Compilation compilation, INamedTypeSymbol modelType, IMethodSymbol method,
            MethodDeclarationSyntax declaration, bool isResidual, List<ParamSpec> parameters, Dictionary<IParameterSymbol, int> lengths, CancellationToken cancellationToken)
        {
            var lowerer = new Lowerer(compilation, modelType, parameters, cancellationToken);
            try
            {
                var arguments = new List<ArgumentSpec>();
                var environment = new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default);
                int row = 0;
                foreach (var p in method.Parameters)
                {
                    var syntax = p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as ParameterSyntax;
                    if (p.RefKind != RefKind.None)
                        throw new LoweringException(DiagnosticInfo.Create(DiagnosticIds.RefLocal, syntax, p.ToDisplayString()));
                    var kind = Parser.KindOf(p.Type)
                        ?? throw new LoweringException(DiagnosticInfo.Create(DiagnosticIds.UnsupportedType, syntax, $"Parameter '{p.Name}'", p.Type.ToDisplayString()));
                    bool isFloat = p.Type.SpecialType == SpecialType.System_Single;
                    if (Parser.FindAttribute(p, ParamAttributeName) is not null)
                    {
                        var spec = parameters.FirstOrDefault(q => q.Name == p.Name)
                            ?? throw new LoweringException(DiagnosticInfo.Create(DiagnosticIds.MissingShape, syntax, $"Parameter '{p.Name}'"));
                        environment[p] = Value.Node(lowerer.ParamNode(spec));
                        arguments.Add(new ArgumentSpec(p.Name, true, spec.Kind, spec.Length, spec.Offset, isFloat));
                        continue;
                    }
                    if (kind == ValueKind.Mat)
                        throw new LoweringException(DiagnosticInfo.Create(DiagnosticIds.UnsupportedType, syntax, $"Input '{p.Name}'", "NGGen.Mat (inputs are scalars or vectors)"));
                    int length = kind == ValueKind.Scalar ? 1 : lengths[p];
                    var shape = kind == ValueKind.Scalar ? Shape.Scalar : Shape.Vector(length);
                    environment[p] = Value.Node(lowerer.Builder.Input(row, shape, p.Name));
                    arguments.Add(new ArgumentSpec(p.Name, false, kind, length, row, isFloat));
                    row += length;
                }

                var outputKind = Parser.KindOf(method.ReturnType)
                    ?? throw new LoweringException(DiagnosticInfo.Create(DiagnosticIds.UnsupportedType, declaration.ReturnType, $"The result of '{method.Name}'", method.ReturnType.ToDisplayString()));
                int result = lowerer.LowerBody(method, declaration, environment);
                lowerer.Builder.Output(result);
                var program = Transforms.EliminateDeadCode(lowerer.Builder.ToProgram());
                var outputShape = lowerer.Builder[result].Shape;
                return (new FunctionSpec(method.Name, isResidual, method.IsStatic, row, outputShape.Size, outputKind,
                    method.ReturnType.SpecialType == SpecialType.System_Single, arguments.ToEquatableArray(), program), null);
            }
            catch (LoweringException e)
            {
                return (null, e.Diagnostic);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception e)
            {
                // The generator never throws into the compiler: anything unexpected becomes NGG0019.
                return (null, DiagnosticInfo.Create(DiagnosticIds.InternalError, declaration.Identifier.GetLocation(), method.Name, e.GetType().Name + ": " + e.Message));
            }
        }

        /// <summary>[Shape(n)] on the input; else the column count of a [Param] matrix multiplied by it
        /// (W * x); else what a model method it is passed to (directly or through Grad/Laplacian/...) infers.</summary>
        private static int? InputLength(Compilation compilation, IParameterSymbol p, List<ParamSpec> parameters, HashSet<IParameterSymbol> visited)
        {
            if (!visited.Add(p))
                return null;
            if (Parser.FindAttribute(p, ShapeAttributeName) is { } shape && shape.ConstructorArguments.Length == 1)
                return (int)shape.ConstructorArguments[0].Value!;
            if (p.ContainingSymbol.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not MethodDeclarationSyntax declaration)
                return null;
            foreach (var binary in declaration.DescendantNodes().OfType<BinaryExpressionSyntax>())
            {
                if (!binary.IsKind(SyntaxKind.MultiplyExpression) || binary.Right is not IdentifierNameSyntax right || right.Identifier.Text != p.Name)
                    continue;
                if (binary.Left is IdentifierNameSyntax left && parameters.FirstOrDefault(q => q.Name == left.Identifier.Text && q.Kind == ValueKind.Mat) is { } matrix)
                    return matrix.Cols;
            }
            var model = compilation.GetSemanticModel(declaration.SyntaxTree);
            foreach (var invocation in declaration.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                var args = invocation.ArgumentList.Arguments;
                int position = -1;
                for (int i = 0; i < args.Count; i++)
                    if (args[i].Expression is IdentifierNameSyntax id && id.Identifier.Text == p.Name)
                        position = i;
                if (position < 0 || model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol callee)
                    continue;
                if (callee.ContainingType?.ToDisplayString() == "NGGen.Ops" && position == 1
                    && model.GetSymbolInfo(args[0].Expression).CandidateSymbols.Concat([model.GetSymbolInfo(args[0].Expression).Symbol]).OfType<IMethodSymbol>().FirstOrDefault() is { Parameters.Length: 1 } target)
                    callee = target;
                else if (!SymbolEqualityComparer.Default.Equals(callee.ContainingType, p.ContainingType))
                    continue;
                int index = callee.Parameters.Length == 1 ? 0 : position;
                if (index < callee.Parameters.Length && Parser.KindOf(callee.Parameters[index].Type) == ValueKind.Vec
                    && InputLength(compilation, callee.Parameters[index], parameters, visited) is int length)
                    return length;
            }
            return null;
        }
    }
}

/// <summary>Aborts lowering of one function with a diagnostic.</summary>
internal sealed class LoweringException(DiagnosticInfo diagnostic) : Exception(diagnostic.Id)
{
    public DiagnosticInfo Diagnostic { get; } = diagnostic;
}

/// <summary>A value during lowering: an IR node, a compile-time integer or a method group.</summary>
internal readonly struct Value
{
    private Value(int node, int integer, bool isInt, IMethodSymbol? method)
    {
        NodeId = node;
        Integer = integer;
        IsInt = isInt;
        Method = method;
    }

    public int NodeId { get; }

    public int Integer { get; }

    public bool IsInt { get; }

    public IMethodSymbol? Method { get; }

    public bool IsNode => !IsInt && Method is null;

    public static Value Node(int id) => new(id, 0, false, null);

    public static Value Int(int value) => new(-1, value, true, null);

    public static Value MethodGroup(IMethodSymbol method) => new(-1, 0, false, method);
}
