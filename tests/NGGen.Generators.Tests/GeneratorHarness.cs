using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NGGen.Generators;

namespace NGGen.Generators.Tests;

/// <summary>Runs <see cref="ModelGenerator"/> through <see cref="CSharpGeneratorDriver"/> on source text.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        // The running framework's assemblies plus the NGGen runtime (Basic.Reference.Assemblies is not served here).
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(Vec).Assembly.Location);
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create("Models",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Model{i}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns its result and the compilation with the generated code added.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>The code generated for the one model in <paramref name="source"/>, which must compile cleanly.</summary>
    public static string GenerateOne(string source)
    {
        var (result, output) = Run(source);
        Assert.Empty(GeneratorDiagnostics(result));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return Assert.Single(result.GeneratedTrees).GetText().ToString();
    }

    /// <summary>The body of the generated method <c>name&lt;T&gt;</c> (up to the next method).</summary>
    public static string Method(string text, string name)
    {
        var match = Regex.Match(text, $@"static void {name}<T>\(.*?\n        \}}\n", RegexOptions.Singleline);
        Assert.True(match.Success, $"no method {name}<T> in the generated code");
        return match.Value;
    }

    /// <summary>The generator's diagnostics; fails the test if the generator threw.</summary>
    public static ImmutableArray<Diagnostic> GeneratorDiagnostics(GeneratorDriverRunResult result)
    {
        foreach (var r in result.Results)
            Assert.Null(r.Exception);
        return result.Diagnostics;
    }
}
