using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NGGen.Generators.Diagnostics;
using NGGen.Generators.Helpers;

namespace NGGen.Generators;

public sealed partial class ModelGenerator
{
    internal const string ModelAttributeName = "NGGen.ModelAttribute";
    internal const string ForwardAttributeName = "NGGen.ForwardAttribute";
    internal const string ResidualAttributeName = "NGGen.ResidualAttribute";
    internal const string ParamAttributeName = "NGGen.ParamAttribute";
    internal const string ShapeAttributeName = "NGGen.ShapeAttribute";

    /// <summary>Parser: the model class symbol → parameters and functions (each lowered to IR).</summary>
    internal static class Parser
    {
        public static ModelSpec Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var syntax = (TypeDeclarationSyntax)context.TargetNode;
            var diagnostics = new List<DiagnosticInfo>();
            string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
            var containing = new List<string>();
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
                containing.Insert(0, outer.Name);

            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticIds.ModelNotPartial, syntax.Identifier.GetLocation(), type.Name));

            var parameters = new List<ParamSpec>();
            int offset = 0;
            foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
            {
                var attribute = FindAttribute(field, ParamAttributeName);
                if (attribute is null)
                    continue;
                if (ParamFromAttribute(field.Name, field.Type, attribute, field.Locations.FirstOrDefault(), offset, isField: true, diagnostics) is { } spec)
                {
                    parameters.Add(spec);
                    offset += spec.Length;
                }
            }

            var methods = type.GetMembers().OfType<IMethodSymbol>()
                .Select(m => (Method: m, Forward: FindAttribute(m, ForwardAttributeName) is not null, Residual: FindAttribute(m, ResidualAttributeName) is not null))
                .Where(m => m.Forward || m.Residual)
                .OrderBy(m => m.Method.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0)
                .ToList();

            // Scalar models declare parameters as [Param] method arguments; the same name in several
            // functions is the same parameter.
            foreach (var (method, _, _) in methods)
                foreach (var p in method.Parameters)
                {
                    var attribute = FindAttribute(p, ParamAttributeName);
                    if (attribute is null || parameters.Any(q => q.Name == p.Name))
                        continue;
                    if (ParamFromAttribute(p.Name, p.Type, attribute, p.Locations.FirstOrDefault(), offset, isField: false, diagnostics) is { } spec)
                    {
                        parameters.Add(spec);
                        offset += spec.Length;
                    }
                }

            if (methods.Count == 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticIds.NoModelFunctions, syntax.Identifier.GetLocation(), type.Name));

            var functions = new List<FunctionSpec>();
            foreach (var (method, _, residual) in methods)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var lowered = Lowering.LowerFunction(context.SemanticModel.Compilation, type, method, residual, parameters, diagnostics, cancellationToken);
                if (lowered is not null)
                    functions.Add(lowered);
            }

            return new ModelSpec(ns, type.Name, containing.ToEquatableArray(), type.IsStatic, offset,
                parameters.ToEquatableArray(), functions.ToEquatableArray(), diagnostics.ToEquatableArray());
        }

        public static AttributeData? FindAttribute(ISymbol symbol, string fullName) =>
            symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == fullName);

        public static ValueKind? KindOf(ITypeSymbol type) => type.SpecialType switch
        {
            SpecialType.System_Double or SpecialType.System_Single => ValueKind.Scalar,
            _ => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString() switch
            {
                "NGGen.Vec" => ValueKind.Vec,
                "NGGen.Mat" => ValueKind.Mat,
                _ => null,
            },
        };

        private static ParamSpec? ParamFromAttribute(string name, ITypeSymbol type, AttributeData attribute, Location? location,
            int offset, bool isField, List<DiagnosticInfo> diagnostics)
        {
            var kind = KindOf(type);
            if (kind is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticIds.UnsupportedType, location, $"Parameter '{name}'", type.ToDisplayString()));
                return null;
            }
            int[] shape = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array
                ? attribute.ConstructorArguments[0].Values.Select(v => (int)v.Value!).ToArray()
                : [];
            int init = 0;
            double value = 1.0;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == "Init")
                    init = (int)named.Value.Value!;
                else if (named.Key == "Value")
                    value = Convert.ToDouble(named.Value.Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            int expectedRank = kind switch { ValueKind.Scalar => 0, ValueKind.Vec => 1, _ => 2 };
            if (shape.Length != expectedRank || shape.Any(d => d <= 0))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticIds.MissingShape, location,
                    $"Parameter '{name}' of type {kind} has shape [{string.Join(", ", shape)}] but needs {expectedRank} positive dimension(s)"));
                return null;
            }
            int rows = expectedRank >= 1 ? shape[0] : 1;
            int cols = expectedRank == 2 ? shape[1] : 1;
            return new ParamSpec(name, kind.Value, rows, cols, offset, init, value, isField);
        }
    }
}
