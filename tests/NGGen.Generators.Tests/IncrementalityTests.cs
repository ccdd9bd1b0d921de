using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NGGen.Generators.Tests;

/// <summary>Caching: an unrelated edit leaves every tracked step Cached/Unchanged, and no pipeline
/// model holds a Roslyn object (symbols, syntax, locations, compilations break caching).</summary>
public class IncrementalityTests
{
    private static readonly string[] s_trackedSteps =
    [
        ModelGenerator.TrackingNames.Models,
        ModelGenerator.TrackingNames.Differentiated,
        ModelGenerator.TrackingNames.Source,
    ];

    [Fact]
    public void Unrelated_edit_leaves_every_step_cached()
    {
        var compilation = GeneratorHarness.Compile(BaselineTests.NetworkModel, BaselineTests.CurveModel,
            "namespace Other; public class Unrelated { public int Value => 1; }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int Value => 2; public int Other => 3; }",
                GeneratorHarness.ParseOptions, path: compilation.SyntaxTrees.Last().FilePath));
        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in s_trackedSteps)
        {
            Assert.True(second.TrackedSteps.ContainsKey(step), $"step {step} was not tracked");
            var reasons = second.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
    }

    [Fact]
    public void Editing_a_model_reruns_its_steps()
    {
        var compilation = GeneratorHarness.Compile(BaselineTests.NetworkModel);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(BaselineTests.NetworkModel.Replace("Tanh(", "Sigmoid("), GeneratorHarness.ParseOptions,
                path: compilation.SyntaxTrees.Single().FilePath));
        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();
        var reasons = second.TrackedSteps[ModelGenerator.TrackingNames.Source].SelectMany(s => s.Outputs).Select(o => o.Reason);
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
    }

    [Fact]
    public void Pipeline_models_hold_no_roslyn_objects()
    {
        var compilation = GeneratorHarness.Compile(BaselineTests.NetworkModel, BaselineTests.CurveModel);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();
        int visited = 0;
        foreach (string step in s_trackedSteps)
            foreach (var output in result.TrackedSteps[step].SelectMany(s => s.Outputs))
                visited += Walk(output.Value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
        Assert.True(visited > 100, $"walked only {visited} objects: the walk is not reaching the models");
    }

    private static readonly Type[] s_forbidden =
        [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(SemanticModel), typeof(Compilation)];

    private static int Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
            return 1;
        var type = value.GetType();
        Assert.False(s_forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} holds a {type.FullName}");
        if (!type.IsValueType && !seen.Add(value))
            return 0;
        int count = 1;
        if (value is IEnumerable sequence)
        {
            int i = 0;
            foreach (var item in sequence)
                count += Walk(item, $"{path}[{i++}]", seen);
            return count;
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                count += Walk(field.GetValue(value), $"{path}.{field.Name}", seen);
        return count;
    }
}
