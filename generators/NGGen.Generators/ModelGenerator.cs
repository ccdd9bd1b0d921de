using Microsoft.CodeAnalysis;
using NGGen.Generators.Diagnostics;
using NGGen.Generators.Helpers;

namespace NGGen.Generators;

/// <summary>
/// The NGGen model generator: [Model] classes → parse and lower to IR → differentiate (JVP, VJP by
/// transposition) → emit batched C#. Phases live in ModelGenerator.{Parser,Lowering,Differentiation,
/// Emitter.CSharp}.cs; this file is only the dataflow.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class ModelGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked incremental steps (tests assert they stay cached).</summary>
    public static class TrackingNames
    {
        public const string Models = nameof(Models);
        public const string Differentiated = nameof(Differentiated);
        public const string Source = nameof(Source);
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(ModelAttributeName,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                static (ctx, ct) => SafeParse(ctx, ct))
            .WithTrackingName(TrackingNames.Models);

        context.RegisterSourceOutput(models.Select(static (m, _) => m.Diagnostics),
            static (spc, diagnostics) =>
            {
                foreach (var d in diagnostics)
                    spc.ReportDiagnostic(d.ToDiagnostic());
            });

        // Diagnostics are forked off above; the cached model below no longer carries them.
        var differentiated = models
            .Where(static m => !m.HasErrors)
            .Select(static (m, ct) => SafeDifferentiate(m with { Diagnostics = EquatableArray<DiagnosticInfo>.Empty }, ct))
            .WithTrackingName(TrackingNames.Differentiated);

        var sources = differentiated
            .Select(static (m, _) => SafeEmit(m))
            .WithTrackingName(TrackingNames.Source);

        context.RegisterSourceOutput(sources, static (spc, output) =>
        {
            if (output.Diagnostic is { } diagnostic)
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            else
                spc.AddSource(output.HintName, output.Source);
        });
    }

    private static ModelSpec SafeParse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            return Parser.Parse(context, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var diagnostic = DiagnosticInfo.Create(DiagnosticIds.InternalError, context.TargetNode, context.TargetSymbol.Name, e.GetType().Name + ": " + e.Message);
            return new ModelSpec("", context.TargetSymbol.Name, EquatableArray<string>.Empty, false, 0,
                EquatableArray<ParamSpec>.Empty, EquatableArray<FunctionSpec>.Empty, new[] { diagnostic }.ToEquatableArray());
        }
    }

    private static DifferentiatedModel? SafeDifferentiate(ModelSpec model, CancellationToken cancellationToken)
    {
        try
        {
            return Differentiate(model, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new DifferentiatedModel(model with { Diagnostics = new[] { DiagnosticInfo.Create(DiagnosticIds.InternalError, (Location?)null, model.TypeName, e.GetType().Name + ": " + e.Message) }.ToEquatableArray() },
                EquatableArray<DifferentiatedFunction>.Empty);
        }
    }

    private static GeneratedOutput SafeEmit(DifferentiatedModel? model)
    {
        if (model is null)
            return new GeneratedOutput("", "", null);
        // The namespace is part of the hint name: two models of one name in different namespaces are legal C#.
        var nameParts = model.Spec.ContainingTypes.Append(model.Spec.TypeName);
        if (model.Spec.Namespace.Length > 0)
            nameParts = nameParts.Prepend(model.Spec.Namespace);
        string hint = string.Join(".", nameParts) + ".Model.g.cs";
        if (model.Spec.Diagnostics.Count > 0)
            return new GeneratedOutput(hint, "", model.Spec.Diagnostics[0]);
        try
        {
            return new GeneratedOutput(hint, CSharpEmitter.Emit(model), null);
        }
        catch (Exception e)
        {
            return new GeneratedOutput(hint, "", DiagnosticInfo.Create(DiagnosticIds.InternalError, (Location?)null, model.Spec.TypeName, e.GetType().Name + ": " + e.Message));
        }
    }
}

/// <summary>The generated file (or the internal error that prevented it).</summary>
internal sealed record GeneratedOutput(string HintName, string Source, DiagnosticInfo? Diagnostic);
