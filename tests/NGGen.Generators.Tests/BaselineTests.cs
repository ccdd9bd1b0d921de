using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace NGGen.Generators.Tests;

/// <summary>
/// The generated code of two models is compared with checked-in files, so every change to the
/// emitted code is reviewed. Regenerate with <c>NGGEN_UPDATE_BASELINES=1 dotnet test</c>.
/// </summary>
public class BaselineTests
{
    public const string CurveModel = """
        using System;
        using NGGen;
        namespace Baselines;

        [Model]
        public static partial class Exponential
        {
            [Forward]
            static double Predict(double x, [Param] double b1, [Param] double b2) => b1 * (1 - Math.Exp(-b2 * x));
        }
        """;

    public const string NetworkModel = """
        using NGGen;
        using static NGGen.Ops;
        namespace Baselines;

        [Model]
        public partial class TinyMlp
        {
            [Param(8, 3)] Mat W1 = null!;
            [Param(8)] Vec b1 = null!;
            [Param(2, 8)] Mat W2 = null!;
            [Param(2)] Vec b2 = null!;

            [Forward] Vec Predict(Vec x) => W2 * Tanh(W1 * x + b1) + b2;
        }
        """;

    [Fact]
    public void Models_of_one_name_in_two_namespaces_both_generate()
    {
        // Hint names carry the namespace; without it the second AddSource threw and no model compiled.
        var (result, output) = GeneratorHarness.Run(CurveModel, CurveModel.Replace("namespace Baselines;", "namespace Edited;"));
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(["Baselines.Exponential.Model.g.cs", "Edited.Exponential.Model.g.cs"],
            result.GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Exponential", CurveModel)]
    [InlineData("TinyMlp", NetworkModel)]
    public void Generated_code_matches_baseline(string name, string source)
    {
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var generated = Assert.Single(result.GeneratedTrees);
        string text = generated.GetText().ToString().Replace("\r\n", "\n");
        Assert.EndsWith($"{name}.Model.g.cs", generated.FilePath);

        string path = Path.Combine(BaselineDirectory(), $"{name}.Model.g.cs.txt");
        if (Environment.GetEnvironmentVariable("NGGEN_UPDATE_BASELINES") == "1")
            File.WriteAllText(path, text);
        Assert.True(File.Exists(path), $"Missing baseline {path}: run with NGGEN_UPDATE_BASELINES=1 to create it.");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n");
        Assert.Equal(expected, text);
    }

    private static string BaselineDirectory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "Baselines");
}
